import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ApplicationStatus, PledgeMethod } from './onboarding.types';

/** An office's application to join a network, until the 事務局 approves or rejects it. */
@Entity('application')
export class ApplicationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'int', insert: false, update: false }) seq!: number;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('text') status!: ApplicationStatus;
  @Column('text', { name: 'office_name' }) officeName!: string;
  /** The name as duplicates are found (NFKC, no spaces, lower case). */
  @Column('text', { name: 'name_key' }) nameKey!: string;
  @Column('text', { name: 'postal_code', nullable: true }) postalCode!: string | null;
  @Column('text') address!: string;
  @Column('text') phone!: string;
  @Column('text', { name: 'manager_name' }) managerName!: string;
  @Column('text', { name: 'manager_email' }) managerEmail!: string;
  @Column('jsonb') data!: Record<string, unknown>;
  @Column('text', { name: 'pledge_method', nullable: true }) pledgeMethod!: PledgeMethod | null;
  @Column('text', { name: 'reject_reason', nullable: true }) rejectReason!: string | null;
  @Column('uuid', { name: 'office_id', nullable: true }) officeId!: string | null;
  @Column('uuid', { name: 'reviewed_by', nullable: true }) reviewedBy!: string | null;
  @Column('text', { name: 'reviewed_by_name', nullable: true }) reviewedByName!: string | null;
  @Column('timestamptz', { name: 'reviewed_at', nullable: true }) reviewedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A link that lets an invited account set its password: random token stored as sha256, single-use, expiring. */
@Entity('invitation')
export class InvitationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('char', { name: 'token_hash', length: 64 }) tokenHash!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text') email!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt!: Date | null;
  /** A newer invitation was sent: this one no longer works. */
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
