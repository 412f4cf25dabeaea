import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type BatchStatus = 'queued' | 'running' | 'done' | 'failed';

/** One roster upload: its people become staff, pledges and notices, printed as one PDF or sent for e-signing. */
@Entity('batch')
export class BatchEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('text') kind!: 'new' | 'update';
  @Column('text') mode!: 'print' | 'esign';
  @Column('boolean') duplex!: boolean;
  @Column('text') filename!: string;
  @Column('text') encoding!: string;
  @Column('text') status!: BatchStatus;
  @Column('text') phase!: string;
  @Column('int', { name: 'progress_done' }) progressDone!: number;
  @Column('int', { name: 'progress_total' }) progressTotal!: number;
  /** Staff-change notices made for this batch: document ids and numbers. */
  @Column('jsonb') notices!: Array<{ documentId: string; number: string }>;
  /** Problems that did not stop the batch (e.g. a notice the office's data cannot fill). */
  @Column('jsonb') problems!: string[];
  @Column('char', { name: 'pdf_sha256', length: 64, nullable: true }) pdfSha256!: string | null;
  @Column('int', { name: 'page_count', nullable: true }) pageCount!: number | null;
  @Column('text', { nullable: true }) error!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  /** When the batch last moved (created, a person done, a chunk printed): /health calls it stuck after STUCK_MINUTES. */
  @Column('timestamptz', { name: 'progress_at', default: () => 'now()' }) progressAt!: Date;
}

/** One roster row: a person to add, change or remove, or a row rejected with its problems. */
@Entity('batch_person')
export class BatchPersonEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'batch_id' }) batchId!: string;
  @Column('int') position!: number;
  @Column('int') row!: number;
  @Column('text') action!: '新規' | '変更' | '削除';
  @Column('text', { nullable: true }) name!: string | null;
  @Column('text', { name: 'name_kana', nullable: true }) nameKana!: string | null;
  @Column('text', { name: 'job_title', nullable: true }) jobTitle!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) gender!: string | null;
  @Column('date', { name: 'start_date', nullable: true }) startDate!: string | null;
  @Column('boolean') manager!: boolean;
  @Column('text') status!: 'pending' | 'done' | 'rejected';
  @Column('jsonb') problems!: Array<{ column: string; message: string }>;
  @Column('uuid', { name: 'staff_member_id', nullable: true }) staffMemberId!: string | null;
  @Column('uuid', { name: 'document_ids', array: true }) documentIds!: string[];
}

/** A printed part of the batch PDF; kept so that a restarted job does not print it again. */
@Entity('batch_chunk')
export class BatchChunkEntity {
  @PrimaryColumn('uuid', { name: 'batch_id' }) batchId!: string;
  @PrimaryColumn('int') index!: number;
  @Column('char', { name: 'pdf_sha256', length: 64 }) pdfSha256!: string;
  @Column('int', { name: 'page_count' }) pageCount!: number;
}
