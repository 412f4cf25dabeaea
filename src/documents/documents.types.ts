/** What other features may know of documents: plain shapes, never the tables behind them. */
import type { Exemplar } from '../custody/custody.types';
import type { FormSubject } from '../networks/catalogue.types';

export const DOCUMENT_STATUSES = ['draft', 'issued', 'signed', 'declined', 'expired', 'withdrawn'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
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
}

/** A document as pages and the API show it: its form's title, its latest data, its exemplars. */
export interface DocumentView extends Document {
  formTitle: string;
  formNumber: string;
  version: DocumentVersion;
  exemplars: Array<Exemplar & { mark: string }>;
}

/** What a signing page needs: the document and the data of its latest version. */
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

/** The latest document (not withdrawn) of a form about one subject of an office: what the 事務局's matrix shows. */
export interface LatestDocument {
  id: string;
  number: string;
  officeId: string;
  formId: string;
  subjectId: string | null;
  status: DocumentStatus;
}
