/** What other features may know of custody: plain shapes, never the tables behind them. */
import type { Holder } from '../networks/catalogue.types';
import type { ChainCheck } from './custody-chain';

export const CUSTODY_EVENT_TYPES = [
  'issued',
  'printed',
  'signed',
  'signed_electronically',
  'mailed',
  'received',
  'handed_to_family',
  'returned',
  'destroyed',
] as const;
export type CustodyEventType = (typeof CUSTODY_EVENT_TYPES)[number];

export const CUSTODY_EVENT_LABELS: Record<CustodyEventType, string> = {
  issued: '発行',
  printed: '印刷',
  signed: '署名（紙）',
  signed_electronically: '電子署名',
  mailed: '郵送',
  received: '受領',
  handed_to_family: '家族へ手渡し',
  returned: '返却',
  destroyed: '廃棄',
};

export type ExemplarKind = 'original' | 'copy';

/** One physical or electronic sheet of a document: an original (原本) or a copy (写し), and who holds it. */
export interface Exemplar {
  id: string;
  documentId: string;
  versionId: string;
  networkId: string;
  officeId: string;
  formId: string;
  /** Printed under the QR code and encoded in it, e.g. RURUME-000042-1. */
  code: string;
  kind: ExemplarKind;
  holder: Holder;
  /** The type of its latest custody event. */
  state: string;
  pdfSha256: string | null;
  createdAt: Date;
}

/** What happened to an exemplar. Append-only; each event's hash covers the previous one's. */
export interface CustodyEvent {
  id: string;
  exemplarId: string;
  seq: number;
  type: CustodyEventType;
  actorId: string | null;
  actorName: string;
  occurredAt: Date;
  recordedAt: Date;
  note: string | null;
  prevHash: string;
  hash: string;
}

/** An exemplar's events and whether their hash chain is intact. */
export interface ExemplarLedger {
  events: CustodyEvent[];
  chain: ChainCheck;
}

/** A document's original that travels to the 事務局, and when it was last mailed and received. */
export interface SubmittedOriginal {
  documentId: string;
  code: string;
  state: string;
  mailedAt: Date | null;
  receivedAt: Date | null;
}
