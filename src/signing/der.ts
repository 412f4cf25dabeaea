/**
 * Just enough DER to write and read CMS signatures and RFC 3161 timestamps. Built on byte buffers rather
 * than node-forge's ASN.1 objects so that certificates and tokens from elsewhere are embedded byte for
 * byte, never decoded and re-encoded.
 */
export class DerError extends Error {}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  /** [n] constructed, context-specific (EXPLICIT, or IMPLICIT over a SEQUENCE or SET). */
  context: (n: number) => 0xa0 + n,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const sequence = (...items: Buffer[]) => tlv(TAG.sequence, ...items);
/** DER orders the members of a SET OF by their encodings. */
export const set = (...items: Buffer[]) => tlv(TAG.set, ...[...items].sort(Buffer.compare));
export const octetString = (bytes: Buffer) => tlv(TAG.octetString, bytes);
export const nullValue = () => Buffer.from([TAG.null, 0]);
export const boolean = (value: boolean) => tlv(TAG.boolean, Buffer.from([value ? 0xff : 0]));
export const explicit = (n: number, ...items: Buffer[]) => tlv(TAG.context(n), ...items);

/** A non-negative INTEGER from a number or from big-endian bytes. */
export function integer(value: number | Buffer): Buffer {
  const hex = typeof value === 'number' ? value.toString(16) : '';
  let bytes = typeof value === 'number' ? Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex') : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1] < 0x80) start++;
  bytes = bytes.subarray(start);
  if (bytes[0] >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

export function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) chunk.unshift(0x80 | (value & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

export function generalizedTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.(\d+)Z$/, (_, ms: string) => (/^0+$/.test(ms) ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));
  return tlv(TAG.generalizedTime, Buffer.from(text, 'latin1'));
}

/** AlgorithmIdentifier with absent parameters (hashes, ECDSA) or NULL ones (RSA). */
export const algorithm = (id: string, withNullParameters = false) => sequence(oid(id), ...(withNullParameters ? [nullValue()] : []));

export interface DerNode {
  tag: number;
  /** The whole encoding: tag, length and content. */
  bytes: Buffer;
  content: Buffer;
}

/** Reads the element at `offset`; bytes after it are ignored (a PDF pads its signature with zeros). */
export function readDer(buffer: Buffer, offset = 0): DerNode {
  if (offset + 2 > buffer.length) throw new DerError('truncated DER');
  const tag = buffer[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let length = buffer[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError('unsupported DER length');
    if (offset + 2 + count > buffer.length) throw new DerError('truncated DER');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buffer[offset + 2 + i];
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new DerError('truncated DER');
  return { tag, bytes: buffer.subarray(offset, end), content: buffer.subarray(offset + header, end) };
}

export function children(node: DerNode): DerNode[] {
  const items: DerNode[] = [];
  for (let offset = 0; offset < node.content.length;) {
    const item = readDer(node.content, offset);
    items.push(item);
    offset += item.bytes.length;
  }
  return items;
}

/** The node itself, after checking that it is the element expected. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`expected ${what}`);
  return node;
}

export function readOid(node: DerNode | undefined): string {
  const bytes = expectTag(node, TAG.oid, 'an object identifier').content;
  const arcs = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

export function readGeneralizedTime(node: DerNode | undefined): Date {
  const text = expectTag(node, TAG.generalizedTime, 'a GeneralizedTime').content.toString('latin1');
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text);
  if (!match) throw new DerError(`unsupported GeneralizedTime ${text}`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  return new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0));
}
