import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TrainingRecord } from './training.types';

/** A staff member attended the network's training (or watched its video) on a date, as the office records it. */
@Entity('training_record')
export class TrainingRecordEntity implements TrainingRecord {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('uuid', { name: 'staff_member_id' }) staffId!: string;
  @Column('text') kind!: string;
  @Column('date', { name: 'attended_on' }) attendedOn!: string;
  @Column('uuid', { name: 'recorded_by' }) recordedBy!: string;
  @Column('text', { name: 'recorded_by_name' }) recordedByName!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
