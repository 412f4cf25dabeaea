import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A confirmed authenticator app (TOTP). `lastStep` makes each code single-use. */
@Entity('user_totp')
export class TotpEntity {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId!: string;
  @Column('text') secret!: string;
  @Column('bigint', { name: 'last_step', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) lastStep!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A passkey (WebAuthn credential) registered by its user. */
@Entity('user_passkey')
export class PasskeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  /** base64url, as the browser reports it. */
  @Column('text', { name: 'credential_id' }) credentialId!: string;
  @Column('bytea', { name: 'public_key' }) publicKey!: Buffer;
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) counter!: number;
  @Column('text', { array: true }) transports!: string[];
  @Column('text') name!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
}

/** One of the ten one-time recovery codes; only its sha256 is kept. */
@Entity('user_recovery_code')
export class RecoveryCodeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('char', { name: 'code_hash', length: 64 }) codeHash!: string;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
