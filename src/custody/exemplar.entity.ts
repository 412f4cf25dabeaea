import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Holder } from '../networks/catalogue.types';
import { Exemplar, ExemplarKind, ExemplarSheet } from './custody.types';

/** One physical or electronic sheet of a document: an original (原本) or a copy (写し), and who holds it. */
@Entity('exemplar')
export class ExemplarEntity implements Exemplar {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'document_id' }) documentId!: string;
  @Column('uuid', { name: 'version_id' }) versionId!: string;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text', { name: 'form_id' }) formId!: string;
  /** Printed under the QR code and encoded in it, e.g. RURUME-000042-1. */
  @Column('text') code!: string;
  @Column('text') kind!: ExemplarKind;
  @Column('text') holder!: Holder;
  @Column('text', { default: 'form' }) sheet!: ExemplarSheet;
  /** The type of its latest custody event (kept here for dashboards; the events are the record). */
  @Column('text') state!: string;
  @Column('char', { name: 'pdf_sha256', length: 64, nullable: true }) pdfSha256!: string | null;
  @Column('timestamptz', { name: 'print_requested_at', nullable: true }) printRequestedAt!: Date | null;
  @Column('text', { name: 'print_error', nullable: true }) printError!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
