import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { VisitSignatureKind, VisitSignatureStatus } from './visits.types';

/** A staff member's home visit: the documents they took, signable offline until `expiresAt`. */
@Entity('visit')
export class VisitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
}

/** A document taken on a visit, as it was then: its version and its signing request. */
@Entity('visit_document')
export class VisitDocumentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'visit_id' }) visitId!: string;
  @Column('uuid', { name: 'document_id' }) documentId!: string;
  @Column('uuid', { name: 'version_id' }) versionId!: string;
  @Column('uuid', { name: 'request_id' }) requestId!: string;
  @CreateDateColumn({ name: 'taken_at', type: 'timestamptz' }) takenAt!: Date;
}

/** A signature (or a decline) the device sent: accepted, or refused with the reason the staff member was shown. */
@Entity('visit_signature')
export class VisitSignatureEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'visit_id' }) visitId!: string;
  @Column('uuid', { name: 'visit_document_id' }) visitDocumentId!: string;
  @Column('uuid', { name: 'signer_id' }) signerId!: string;
  @Column('text') kind!: VisitSignatureKind;
  @Column('timestamptz', { name: 'signed_on_device_at' }) signedOnDeviceAt!: Date;
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column('text') status!: VisitSignatureStatus;
  @Column('text', { name: 'refusal_code', nullable: true }) refusalCode!: string | null;
  @Column('text', { name: 'refusal_message', nullable: true }) refusalMessage!: string | null;
}
