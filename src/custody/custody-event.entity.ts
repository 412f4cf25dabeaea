import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CustodyEvent, CustodyEventType } from './custody.types';

/** What happened to an exemplar. Append-only; each event's hash covers the previous one's. */
@Entity('custody_event')
export class CustodyEventEntity implements CustodyEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'exemplar_id' }) exemplarId!: string;
  @Column('int') seq!: number;
  @Column('text') type!: CustodyEventType;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text', { name: 'actor_name' }) actorName!: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('char', { name: 'prev_hash', length: 64 }) prevHash!: string;
  @Column('char', { length: 64 }) hash!: string;
}
