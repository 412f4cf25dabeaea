import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import {
  ConsentWithdrawal,
  Erasure,
  LegalHold,
  RetentionDue,
  RightsChannel,
  RightsKind,
  RightsRequest,
  RightsStatus,
  WithdrawalChannel,
} from './rights.types';

@Entity('rights_request')
export class RightsRequestEntity implements RightsRequest {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
  @Column('text') kind!: RightsKind;
  @Column('date', { name: 'received_on' }) receivedAt!: string;
  @Column('text', { name: 'received_via' }) receivedVia!: RightsChannel;
  @Column('text', { nullable: true }) detail!: string | null;
  @Column('date', { name: 'due_on' }) dueAt!: string;
  @Column('text') status!: RightsStatus;
  @Column('text', { name: 'answer_note', nullable: true }) answerNote!: string | null;
  @Column('uuid', { name: 'answered_by', nullable: true }) answeredBy!: string | null;
  @Column('text', { name: 'answered_by_name', nullable: true }) answeredByName!: string | null;
  @Column('timestamptz', { name: 'answered_at', nullable: true }) answeredAt!: Date | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** When its passing the due date was announced (webhooks), once. */
  @Column('timestamptz', { name: 'overdue_announced_at', nullable: true, select: false }) overdueAnnouncedAt!: Date | null;
}

/** A document made to correct a patient's data in answer to a request (訂正・追加・削除). */
@Entity('rights_correction')
export class RightsCorrectionEntity {
  @PrimaryColumn('uuid', { name: 'request_id' }) requestId!: string;
  @PrimaryColumn('uuid', { name: 'document_id' }) documentId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('consent_withdrawal')
export class ConsentWithdrawalEntity implements ConsentWithdrawal {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'document_id' }) documentId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('uuid', { name: 'patient_id', nullable: true }) patientId!: string | null;
  @Column('text', { name: 'received_via' }) receivedVia!: WithdrawalChannel;
  @Column('date', { name: 'received_on' }) receivedAt!: string;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('uuid', { name: 'recorded_by', nullable: true }) recordedBy!: string | null;
  @Column('text', { name: 'recorded_by_name' }) recordedByName!: string;
  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column('timestamptz', { name: 'receipt_sealed_at', nullable: true }) receiptSealedAt!: Date | null;
}

@Entity('legal_hold')
export class LegalHoldEntity implements LegalHold {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('uuid', { name: 'placed_by', nullable: true }) placedBy!: string | null;
  @CreateDateColumn({ name: 'placed_at', type: 'timestamptz' }) placedAt!: Date;
  @Column('uuid', { name: 'released_by', nullable: true }) releasedBy!: string | null;
  @Column('timestamptz', { name: 'released_at', nullable: true }) releasedAt!: Date | null;
}

@Entity('retention_due')
export class RetentionDueEntity implements RetentionDue {
  @PrimaryColumn('uuid', { name: 'document_id' }) documentId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('date', { name: 'due_on' }) dueAt!: string;
  @CreateDateColumn({ name: 'listed_at', type: 'timestamptz' }) listedAt!: Date;
}

@Entity('erasure')
export class ErasureEntity implements Erasure {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text') reason!: 'request' | 'retention';
  @Column('uuid', { name: 'patient_id', nullable: true }) patientId!: string | null;
  @Column('uuid', { name: 'rights_request_id', nullable: true }) rightsRequestId!: string | null;
  @Column('text', { name: 'document_numbers', array: true }) documentNumbers!: string[];
  @Column('uuid', { name: 'confirmed_by', nullable: true }) confirmedBy!: string | null;
  @Column('text', { name: 'confirmed_by_name' }) confirmedByName!: string;
  @CreateDateColumn({ name: 'confirmed_at', type: 'timestamptz' }) confirmedAt!: Date;
}
