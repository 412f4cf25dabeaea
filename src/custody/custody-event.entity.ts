import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CUSTODY_EVENT_TYPES = [
  'issued',
  'printed',
  'signed',
  'signed_electronically',
  'mailed',
  'received',
  'handed_to_family',
  'returned',
  'destroyed',
] as const;
export type CustodyEventType = (typeof CUSTODY_EVENT_TYPES)[number];

export const CUSTODY_EVENT_LABELS: Record<CustodyEventType, string> = {
  issued: '発行',
  printed: '印刷',
  signed: '署名（紙）',
  signed_electronically: '電子署名',
  mailed: '郵送',
  received: '受領',
  handed_to_family: '家族へ手渡し',
  returned: '返却',
  destroyed: '廃棄',
};

/** What happened to an exemplar. Append-only; each event's hash covers the previous one's. */
@Entity('custody_event')
export class CustodyEventEntity {
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
