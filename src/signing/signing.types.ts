import { SignerRole } from '../networks/catalogue.types';

/** What other features (and the web pages) may know of signing: plain shapes, never the tables behind them. */

export type SigningStatus = 'open' | 'completed' | 'declined' | 'expired' | 'cancelled';
export type SignerStatus = 'pending' | 'signed' | 'declined';
export type SigningMethod = 'email' | 'in_person';

/** A document sent for signature to the signers its form's roles call for. */
export interface SigningRequest {
  id: string;
  documentId: string;
  officeId: string;
  status: SigningStatus;
  ordered: boolean;
  expiresAt: Date;
  createdBy: string | null;
  createdAt: Date;
  completedAt: Date | null;
  preSealSha256: string | null;
  sealedSha256: string | null;
  sealedAt: Date | null;
  /** sha256 of the certificate that sealed it (null for seals made before it was recorded). */
  sealCertificateSha256: string | null;
  /** When it was cancelled, expired or declined. */
  closedAt: Date | null;
}

/** One person's part in a request, as the office sees it (no secrets). */
export interface Signer {
  id: string;
  requestId: string;
  role: string;
  roleLabel: string;
  position: number;
  name: string;
  email: string | null;
  relation: string | null;
  method: SigningMethod;
  status: SignerStatus;
  tokenExpiresAt: Date | null;
  /** When the sweeper sends a reminder with a fresh link (set with each link mailed; cleared once reminded). */
  remindAt: Date | null;
  /** Wrong 暗証番号 in a row. */
  accessFailures: number;
  signatureKind: 'drawn' | 'typed' | null;
  typedName: string | null;
  proxyReason: string | null;
  declineReason: string | null;
  viewedAt: Date | null;
  signedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  witnessUserId: string | null;
  /** When their latest link was e-mailed (first, re-sent or reminded). */
  sentAt: Date | null;
  /** When the sweeper sent the reminder. */
  remindedAt: Date | null;
  declinedAt: Date | null;
  /** Set up for e-mail, switched by staff (`switchedBy`, a user id) to sign in person on the office's device. */
  switchedToInPersonAt: Date | null;
  switchedBy: string | null;
  /** Signed offline on a home visit: the device's time of signing (`signedAt` is then when the server received it). */
  signedOfflineAt: Date | null;
  visitId: string | null;
}

/** A request with its signers, for the office: for each signer, whether wrong 暗証番号 locked their link. */
export interface SigningRequestView extends SigningRequest {
  signers: Array<Omit<Signer, 'accessFailures'> & { locked: boolean }>;
}

/** The document a request is about, as signing uses it. */
export interface SigningDocument {
  id: string;
  number: string;
  networkId: string;
  formId: string;
  officeId: string;
  status: string;
  formTitle: string;
  formNumber: string;
  /** `id` where it is known: a version never changes, so its reading view is kept by it. */
  version: { id?: string; data: Record<string, unknown> };
}

/** The signer behind a link, with what the link flow checks (the 暗証番号's state, as hashes). */
export interface LinkSigner {
  id: string;
  requestId: string;
  role: string;
  roleLabel: string;
  position: number;
  name: string;
  email: string | null;
  relation: string | null;
  method: SigningMethod;
  status: SignerStatus;
  accessCodeHash: string | null;
  accessFailures: number;
  accessSessionHash: string | null;
  viewedAt: Date | null;
  /** In an ordered request, how many signers before this one have not signed yet (0: it is their turn). */
  earlierPending: number;
}

/** What a 暗証番号 check needs of a signer: its hash, the failures so far, the hash of the browser's secret. */
export type PinSigner = Pick<LinkSigner, 'id' | 'accessCodeHash' | 'accessFailures' | 'accessSessionHash'>;

/** What a signing link opens: the signer, their request and the document. */
export interface OpenedLink {
  signer: LinkSigner;
  request: Pick<SigningRequest, 'id' | 'status' | 'ordered' | 'expiresAt' | 'documentId' | 'officeId'>;
  document: SigningDocument;
  role: SignerRole;
  needsAccessCode: boolean;
}

/** A request as the office's overview lists it: its document, and each signer's times. */
export interface SigningOverviewItem extends SigningRequestView {
  documentNumber: string;
  formTitle: string;
  formNumber: string;
}

/** What the office submits for each signer (checked by `validateSigners`). */
export interface SignerInput {
  role?: unknown;
  name?: unknown;
  email?: unknown;
  relation?: unknown;
  method?: unknown;
  accessCode?: unknown;
}

/** What a signer submits (checked by `validateSignature`). */
export interface SignatureInput {
  consent?: unknown;
  signatureKind?: unknown;
  signatureImage?: unknown;
  typedName?: unknown;
  relation?: unknown;
  proxyReason?: unknown;
}

/** A signature made offline on a visit: the device's time, and work recorded in the same transaction (the visit's own row). */
export interface OfflineSignature {
  visitId: string;
  signedOnDeviceAt: Date;
  alongside: (manager: import('typeorm').EntityManager) => Promise<void>;
}

export type SigningJob = { kind: 'seal'; requestId: string } | { kind: 'remind'; signerId: string } | { kind: 'expire'; requestId: string };
