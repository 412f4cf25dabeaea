import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { Role } from './accounts.types';

/** Someone who logs in: office staff (one office), a network's secretariat (one network), or an admin. */
@Entity('app_user')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') email!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash!: string;
  @Column('text') role!: Role;
  @Column('uuid', { name: 'office_id', nullable: true }) officeId!: string | null;
  @Column('text', { name: 'network_id', nullable: true }) networkId!: string | null;
  /** Has a second factor (TOTP or a passkey): log-in then asks for it. */
  @Column('boolean', { name: 'mfa_enabled' }) mfaEnabled!: boolean;
  /** Set by an admin (利用停止): log-in refused, every session ended. */
  @Column('timestamptz', { name: 'disabled_at', nullable: true }) disabledAt!: Date | null;
  @Column('timestamptz', { name: 'password_changed_at', nullable: true }) passwordChangedAt!: Date | null;
  @Column('timestamptz', { name: 'last_login_at', nullable: true }) lastLoginAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
