import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An office's or a 事務局's API key. Only the sha256 of the key is kept; its first characters name it on the page. */
@Entity('api_key')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('char', { name: 'key_hash', length: 64, select: false }) keyHash!: string;
  @Column('text') prefix!: string;
  @Column('text') role!: 'office_manager' | 'secretariat';
  @Column('uuid', { name: 'office_id', nullable: true }) officeId!: string | null;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
