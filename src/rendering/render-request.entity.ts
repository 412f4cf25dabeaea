import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const RENDER_STATUSES = ['queued', 'done', 'failed'] as const;
export type RenderStatus = (typeof RENDER_STATUSES)[number];

/** One request to print a form with validated data. The worker fills in the PDF. */
@Entity('render_request')
export class RenderRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text', { name: 'network_id' })
  networkId!: string;

  @Column('text', { name: 'form_id' })
  formId!: string;

  /** Who asked for it: the only one who may read it (null: made before renders had owners, shown to nobody). */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('jsonb')
  data!: Record<string, unknown>;

  @Column('text')
  status!: RenderStatus;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('char', { name: 'pdf_sha256', length: 64, nullable: true })
  pdfSha256!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
