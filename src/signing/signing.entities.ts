import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Signer, SignerStatus, SigningMethod, SigningRequest, SigningStatus } from './signing.types';

/** A document sent for signature to the signers its form's roles call for. */
@Entity('signing_request')
export class SigningRequestEntity implements SigningRequest {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'document_id' }) documentId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text') status!: SigningStatus;
  @Column('boolean') ordered!: boolean;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt!: Date | null;
  @Column('char', { name: 'pre_seal_sha256', length: 64, nullable: true }) preSealSha256!: string | null;
  @Column('char', { name: 'sealed_sha256', length: 64, nullable: true }) sealedSha256!: string | null;
  @Column('timestamptz', { name: 'sealed_at', nullable: true }) sealedAt!: Date | null;
  @Column('char', { name: 'seal_certificate_sha256', length: 64, nullable: true }) sealCertificateSha256!: string | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
}

/** One person's part in a request. Secrets (link token, access code) are stored only as hashes. */
@Entity('signer')
export class SignerEntity implements Signer {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'request_id' }) requestId!: string;
  @Column('text') role!: string;
  @Column('text', { name: 'role_label' }) roleLabel!: string;
  @Column('int') position!: number;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) relation!: string | null;
  @Column('text') method!: SigningMethod;
  @Column('text') status!: SignerStatus;
  @Column('char', { name: 'token_hash', length: 64, nullable: true, select: false }) tokenHash!: string | null;
  @Column('timestamptz', { name: 'token_expires_at', nullable: true }) tokenExpiresAt!: Date | null;
  @Column('timestamptz', { name: 'remind_at', nullable: true }) remindAt!: Date | null;
  @Column('text', { name: 'access_code_hash', nullable: true, select: false }) accessCodeHash!: string | null;
  @Column('int', { name: 'access_failures' }) accessFailures!: number;
  @Column('char', { name: 'access_session_hash', length: 64, nullable: true, select: false }) accessSessionHash!: string | null;
  @Column('text', { name: 'signature_kind', nullable: true }) signatureKind!: 'drawn' | 'typed' | null;
  @Column('text', { name: 'signature_image', nullable: true, select: false }) signatureImage!: string | null;
  @Column('text', { name: 'typed_name', nullable: true }) typedName!: string | null;
  @Column('text', { name: 'proxy_reason', nullable: true }) proxyReason!: string | null;
  @Column('text', { name: 'decline_reason', nullable: true }) declineReason!: string | null;
  @Column('timestamptz', { name: 'viewed_at', nullable: true }) viewedAt!: Date | null;
  @Column('timestamptz', { name: 'signed_at', nullable: true }) signedAt!: Date | null;
  @Column('text', { nullable: true }) ip!: string | null;
  @Column('text', { name: 'user_agent', nullable: true }) userAgent!: string | null;
  @Column('uuid', { name: 'witness_user_id', nullable: true }) witnessUserId!: string | null;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
  @Column('timestamptz', { name: 'reminded_at', nullable: true }) remindedAt!: Date | null;
  @Column('timestamptz', { name: 'declined_at', nullable: true }) declinedAt!: Date | null;
  @Column('timestamptz', { name: 'switched_to_in_person_at', nullable: true }) switchedToInPersonAt!: Date | null;
  @Column('uuid', { name: 'switched_by', nullable: true }) switchedBy!: string | null;
  @Column('timestamptz', { name: 'signed_offline_at', nullable: true }) signedOfflineAt!: Date | null;
  @Column('uuid', { name: 'visit_id', nullable: true }) visitId!: string | null;
}

/** A family member's expiring link to download their exemplar of a sealed document. */
@Entity('download_link')
export class DownloadLinkEntity {
  @Column('char', { name: 'token_hash', length: 64, primary: true }) tokenHash!: string;
  @Column('uuid', { name: 'exemplar_id' }) exemplarId!: string;
  @Column('text') recipient!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('int') downloads!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/**
 * The link in a signed consent's copy e-mail by which the family may withdraw their consent. It expires with the
 * download link beside it (the right does not lapse: afterwards the office takes the withdrawal).
 */
@Entity('withdrawal_link')
export class WithdrawalLinkEntity {
  @Column('char', { name: 'token_hash', length: 64, primary: true }) tokenHash!: string;
  @Column('uuid', { name: 'document_id' }) documentId!: string;
  @Column('text') recipient!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
