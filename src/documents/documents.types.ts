/** What other features may know of documents: plain shapes, never the tables behind them. */
import type { Exemplar } from '../custody/custody.types';
import type { FormSubject } from '../networks/catalogue.types';

export const DOCUMENT_STATUSES = ['draft', 'issued', 'signed', 'declined', 'expired', 'withdrawn', 'revoked', 'erased'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Each status in the words every page, message and export uses. */
export const DOCUMENT_STATUS_LABELS: Record<DocumentStatus, string> = {
  draft: '下書き',
  issued: '発行済',
  signed: '署名済',
  declined: '辞退',
  expired: '期限切れ',
  withdrawn: '取り下げ',
  revoked: '撤回',
  erased: '消去済み',
};
export type SubjectType = FormSubject;

/** One filled form for one subject (the office, a staff member, a patient). */
export interface Document {
  id: string;
  /** Printed under the QR code: the network and a serial, e.g. RURUME-000042. */
  number: string;
  networkId: string;
  formId: string;
  officeId: string;
  subjectType: SubjectType;
  subjectId: string | null;
  status: DocumentStatus;
  correctsDocumentId: string | null;
  createdBy: string | null;
  createdAt: Date;
  issuedAt: Date | null;
  signedAt: Date | null;
  /** The day it stopped being in use: withdrawn (取り下げ) or revoked (撤回, from the day the withdrawal was received). */
  endedOn: string | null;
  /** When its personal data and PDFs were erased (消去); the row stays as the ledger's anchor. */
  erasedAt: Date | null;
}

/** A document that can never again be signed, sealed or delivered. */
export function isRetired(status: DocumentStatus | string): boolean {
  return status === 'withdrawn' || status === 'revoked' || status === 'erased';
}

/** The data of a document at one point; a draft's edits and a correction are new versions. */
export interface DocumentVersion {
  id: string;
  documentId: string;
  version: number;
  data: Record<string, unknown>;
  previousVersionId: string | null;
  createdBy: string | null;
  createdAt: Date;
  /** A version printed for a disclosure (one that no exemplar was issued from). */
  pdfSha256?: string | null;
}

/** A document as pages and the API show it: its form's title, its latest data, its exemplars. */
export interface DocumentView extends Document {
  formTitle: string;
  formNumber: string;
  version: DocumentVersion;
  exemplars: Array<Exemplar & { mark: string }>;
}

/** What a signing page needs: the document and the data of its latest version. */
/** What another feature's list shows of a document: its number and form. */
export type DocumentHeader = Pick<Document, 'id' | 'number' | 'networkId' | 'formId'>;

export type DocumentSummary = Pick<Document, 'id' | 'number' | 'networkId' | 'formId' | 'officeId' | 'status'> & {
  formTitle: string;
  formNumber: string;
  version: { data: Record<string, unknown> };
};

export interface NewDocument {
  form: string;
  subjectId?: string | null;
  data?: Record<string, unknown>;
}

export interface PrintExemplarJob {
  exemplarId: string;
}

/** The worker's print jobs: an exemplar (with its mark and QR code), or a bare version for a disclosure. */
export type PrintJob = PrintExemplarJob | { versionId: string };

/** What retention needs of a document: its form, subject, dates and whether a signed correction superseded it. */
export interface RetentionFacts {
  id: string;
  number: string;
  networkId: string;
  formId: string;
  officeId: string;
  subjectType: SubjectType;
  subjectId: string | null;
  status: DocumentStatus;
  createdAt: Date;
  issuedAt: Date | null;
  endedOn: string | null;
  /** When a correction of it was signed: it is no longer the one in use. */
  supersededAt: Date | null;
}

/** The latest document (not withdrawn) of a form about one subject of an office: what the 事務局's matrix shows. */
export interface LatestDocument {
  id: string;
  number: string;
  officeId: string;
  formId: string;
  subjectId: string | null;
  status: DocumentStatus;
}
