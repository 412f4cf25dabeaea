import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Document, DocumentStatus, DocumentVersion, SubjectType } from './documents.types';

/** One filled form for one subject (the office, a staff member, a patient). */
@Entity('document')
export class DocumentEntity implements Document {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') number!: string;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('text', { name: 'form_id' }) formId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text', { name: 'subject_type' }) subjectType!: SubjectType;
  @Column('uuid', { name: 'subject_id', nullable: true }) subjectId!: string | null;
  @Column('text') status!: DocumentStatus;
  @Column('uuid', { name: 'corrects_document_id', nullable: true }) correctsDocumentId!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'issued_at', nullable: true }) issuedAt!: Date | null;
  @Column('timestamptz', { name: 'signed_at', nullable: true }) signedAt!: Date | null;
  @Column('date', { name: 'ended_on', nullable: true }) endedOn!: string | null;
  @Column('timestamptz', { name: 'erased_at', nullable: true }) erasedAt!: Date | null;
}

/** The data of a document at one point; a draft's edits and a correction are new versions. */
@Entity('document_version')
export class DocumentVersionEntity implements DocumentVersion {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'document_id' }) documentId!: string;
  @Column('int') version!: number;
  @Column('jsonb') data!: Record<string, unknown>;
  @Column('uuid', { name: 'previous_version_id', nullable: true }) previousVersionId!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('char', { name: 'pdf_sha256', length: 64, nullable: true }) pdfSha256!: string | null;
}
