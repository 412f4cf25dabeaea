import { createHash } from 'node:crypto';

/** sha256 as lowercase hex: how tokens, PDFs and ledger rows are fingerprinted here. */
export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}
