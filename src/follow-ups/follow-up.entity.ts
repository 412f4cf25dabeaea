import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OwedItems } from './follow-ups.types';

/** A follow-up mail the 事務局 sent an office, with exactly what it listed. */
@Entity('office_follow_up')
export class FollowUpEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('uuid', { name: 'sent_by' }) sentBy!: string;
  @Column('text', { name: 'sent_by_name' }) sentByName!: string;
  @CreateDateColumn({ name: 'sent_at', type: 'timestamptz' }) sentAt!: Date;
  @Column('text', { array: true }) recipients!: string[];
  @Column('jsonb') items!: OwedItems;
}
