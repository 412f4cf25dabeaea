/** What other features (and the web pages) may know of visits: plain shapes, never the tables behind them. */

export type VisitSignatureStatus = 'accepted' | 'refused';
/** What the signer did on the tablet: signed, or declined with a reason. */
export type VisitSignatureKind = 'signature' | 'decline';

/** Why the server refused a signature made on a visit (shown to the staff member, kept on the overview). */
export type VisitRefusalCode =
  'DOCUMENT_CHANGED' | 'ALREADY_SIGNED' | 'REQUEST_CLOSED' | 'VISIT_EXPIRED' | 'INVALID_REQUEST' | 'NOT_YOUR_TURN';

export interface Visit {
  id: string;
  officeId: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface VisitDocument {
  id: string;
  visitId: string;
  documentId: string;
  versionId: string;
  requestId: string;
  takenAt: Date;
}

export interface VisitSignature {
  id: string;
  visitId: string;
  visitDocumentId: string;
  signerId: string;
  kind: VisitSignatureKind;
  signedOnDeviceAt: Date;
  receivedAt: Date;
  status: VisitSignatureStatus;
  refusalCode: string | null;
  refusalMessage: string | null;
}

/** One signer of a taken document, as the tablet shows them. */
export interface VisitSigner {
  id: string;
  name: string;
  roleLabel: string;
  status: 'pending' | 'signed' | 'declined';
  /** Whether they sign on the visit (in person, still pending); others are shown but not signed here. */
  signsHere: boolean;
  needsRelation: boolean;
  isProxy: boolean;
  staffSigner: boolean;
  relation: string | null;
}

/** A taken document with what the tablet needs offline: its reading text, its printed sheet and its signers. */
export interface VisitDocumentView {
  id: string;
  documentId: string;
  number: string;
  formTitle: string;
  formNumber: string;
  requestId: string;
  takenAt: Date;
  /** Still issued with its request open: false once withdrawn, corrected into a new one, signed or cancelled. */
  signable: boolean;
  readingHtml: string;
  printedHtml: string;
  signers: VisitSigner[];
}

/** The staff member's current visit, for the tablet (`GET /api/visits/current`). */
export interface VisitView {
  id: string;
  expiresAt: Date;
  staffName: string;
  documents: VisitDocumentView[];
}

/** A visit as the office's signing overview lists it. */
export interface VisitOverviewItem {
  id: string;
  staffName: string;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  taken: number;
  /** Signatures accepted (signed offline and synced). */
  synced: number;
  /** Declines accepted (declined on the tablet, with the reason the office was mailed). */
  declined: number;
  refused: Array<{ signerId: string; code: string; message: string; receivedAt: Date }>;
  documents: Array<{ documentId: string; number: string }>;
}
