import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message to send. Written in the same transaction as the change it announces; the worker sends it. */
@Entity('mail_outbox')
export class MailOutboxEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') kind!: string;
  @Column('text') recipient!: string;
  @Column('text') subject!: string;
  @Column('text') body!: string;
  @Column('text') status!: 'pending' | 'sent' | 'failed' | 'cancelled';
  @Column('uuid', { name: 'document_id', nullable: true }) documentId!: string | null;
  @Column('int') attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
}
