import { createInflateRaw, crc32 } from 'node:zlib';

/**
 * The zip inside an .xlsx, read without trusting it. Excel writes every entry's size in the zip's central
 * directory; a file whose entries lie about their size (a zip bomb) would otherwise be inflated in full by the
 * spreadsheet library before anything could refuse it. Here the declared sizes are added up first (too large:
 * refused before anything is inflated), then each entry is inflated as a stream that stops the moment it
 * produces more than it declared; its length and CRC-32 must then match. What comes out is rewritten as a zip
 * of stored (uncompressed) entries: the library sees only bytes that were counted.
 */

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export class ZipRefused extends Error {
  constructor(readonly reason: 'broken' | 'too-large') {
    super(reason === 'broken' ? 'the zip is damaged or its entries are not what they declare' : 'the zip is too large once inflated');
    this.name = 'ZipRefused';
  }
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Inflated in pieces of this size, so that no single step holds much more than the cap. */
const CHUNK = 64 * 1024;

interface Declared {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The entries of a zip (directories left out), each inflated within what it declared. */
export async function unzipWithinLimits(zip: Buffer, limits: { maxEntries: number; maxTotalBytes: number }): Promise<ZipEntry[]> {
  const declared = centralDirectory(zip, limits.maxEntries);
  const total = declared.reduce((sum, e) => sum + e.size, 0);
  if (total > limits.maxTotalBytes) throw new ZipRefused('too-large');
  const entries: ZipEntry[] = [];
  for (const entry of declared) {
    if (entry.name.endsWith('/')) continue;
    entries.push({ name: entry.name, data: await inflateEntry(zip, entry) });
  }
  return entries;
}

function centralDirectory(zip: Buffer, maxEntries: number): Declared[] {
  const end = findEnd(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ZipRefused('too-large'); // ZIP64: far beyond any roster
  if (count > maxEntries) throw new ZipRefused('broken');
  const entries: Declared[] = [];
  const names = new Set<string>();
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new ZipRefused('broken');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const nameLength = zip.readUInt16LE(at + 28);
    const entry: Declared = {
      name: zip.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength),
      method,
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    };
    // Encrypted, or compressed other than deflate, or named twice (two readers could pick different ones).
    if (flags & 0x1 || (method !== 0 && method !== 8) || names.has(entry.name)) throw new ZipRefused('broken');
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff) throw new ZipRefused('too-large');
    names.add(entry.name);
    entries.push(entry);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

function findEnd(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= lowest; at--) if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  throw new ZipRefused('broken');
}

async function inflateEntry(zip: Buffer, entry: Declared): Promise<Buffer> {
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER) throw new ZipRefused('broken');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  if (start + entry.compressedSize > zip.length) throw new ZipRefused('broken');
  const compressed = zip.subarray(start, start + entry.compressedSize);
  const data = entry.method === 0 ? Buffer.from(compressed) : await inflateAtMost(compressed, entry.size);
  if (data.length !== entry.size || crc32(data) >>> 0 !== entry.crc) throw new ZipRefused('broken');
  return data;
}

/** Inflates as a stream, stopping as soon as the output passes `limit` bytes (never holding more than that). */
function inflateAtMost(compressed: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflater = createInflateRaw({ chunkSize: CHUNK });
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const fail = () => {
      if (settled) return;
      settled = true;
      inflater.destroy();
      reject(new ZipRefused('broken'));
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      length += chunk.length;
      if (length > limit) return fail();
      chunks.push(chunk);
    });
    inflater.on('error', fail);
    inflater.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, length));
    });
    for (let offset = 0; offset < compressed.length; offset += CHUNK) inflater.write(compressed.subarray(offset, offset + CHUNK));
    inflater.end();
  });
}

/** The entries as a zip of stored entries, for a library that reads only zips. */
export function storedZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6); // names in UTF-8
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
