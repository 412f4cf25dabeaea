import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  exemplarId: string;
  seq: number;
  type: string;
  actorId: string | null;
  actorName: string;
  occurredAt: Date;
  note: string | null;
}

/** Each event's hash covers the previous hash and every field that matters, so an edit breaks the chain. */
export function eventHash(prevHash: string, event: ChainedFields): string {
  const canonical = JSON.stringify([
    prevHash,
    event.exemplarId,
    event.seq,
    event.type,
    event.actorId,
    event.actorName,
    event.occurredAt.toISOString(),
    event.note,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainCheck {
  valid: boolean;
  events: number;
  /** The first event whose hash or link does not match, when the chain is broken. */
  brokenAtSeq: number | null;
}

export function verifyChain(events: Array<ChainedFields & { prevHash: string; hash: string }>): ChainCheck {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1 || event.prevHash !== previous || eventHash(previous, event) !== event.hash) {
      return { valid: false, events: events.length, brokenAtSeq: event.seq };
    }
    previous = event.hash;
  }
  return { valid: true, events: events.length, brokenAtSeq: null };
}
