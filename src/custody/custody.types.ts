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
  'archive_renewed',
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
  archive_renewed: '長期署名の更新（文書タイムスタンプ）',
};

/**
 * An event as people read it: a sheet the service itself e-mailed to the family (after sealing) is recorded as
 * handed to them, by no one; it reads 「メールで送付」, not 「家族へ手渡し」.
 */
export function custodyEventLabel(event: Pick<CustodyEvent, 'type' | 'actorId'>): string {
  return event.type === 'handed_to_family' && event.actorId === null ? 'メールで送付' : CUSTODY_EVENT_LABELS[event.type];
}

export type ExemplarKind = 'original' | 'copy';

/**
 * What the sheet is: the form itself, or the 撤回受付票 (the receipt of a consent's withdrawal), which is
 * given to the same parties under the same custody rule as the consent it belongs to.
 */
export const EXEMPLAR_SHEETS = ['form', 'withdrawal-receipt'] as const;
export type ExemplarSheet = (typeof EXEMPLAR_SHEETS)[number];
export const SHEET_LABELS: Record<ExemplarSheet, string> = { form: '', 'withdrawal-receipt': '撤回受付票' };

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
  sheet: ExemplarSheet;
  /** The type of its latest custody event. */
  state: string;
  pdfSha256: string | null;
  /** Set in the transaction that asks for its PDF; the sweeper prints it until it has one or it fails for good. */
  printRequestedAt: Date | null;
  /** Why its PDF could not be made (a refusal that a retry would not change). */
  printError: string | null;
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
