import { PNG } from 'pngjs';
import { inflateSync } from 'node:zlib';

/** A signature as drawn on a phone or a tablet, in pixels (the signing page draws at most this). */
export const MAX_SIGNATURE_WIDTH = 2000;
export const MAX_SIGNATURE_HEIGHT = 1000;
/** The PNG as submitted, and as stored once re-encoded. */
export const MAX_SIGNATURE_BYTES = 300_000;
const MAX_STORED_BYTES = 1_000_000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const UNREADABLE = '署名の画像を読み取れませんでした。もう一度署名してください';

/** Samples per pixel of each PNG colour type: grey, RGB, palette, grey + alpha, RGBA. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Whether the image data is all there, as the header promises: whole chunks up to IEND and nothing after it,
 * and an IDAT stream that inflates to exactly `height` rows of a filter byte and the row's bytes. pngjs does
 * not check this: from a short or broken stream it returns a buffer it never finished writing, that is,
 * whatever this process's memory held there before (another request's data), which would then be kept as
 * the signature's pixels and printed in the sealed PDF.
 */
function hasWholeImageData(bytes: Buffer, width: number, height: number): boolean {
  const depth = bytes[24];
  const samples = SAMPLES[bytes[25]];
  if (!samples || ![1, 2, 4, 8, 16].includes(depth)) return false;
  const expected = height * (1 + Math.ceil((width * samples * depth) / 8));
  const stream: Buffer[] = [];
  for (let offset = 8; offset + 12 <= bytes.length;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const next = offset + 12 + length;
    if (next > bytes.length) return false;
    if (type === 'IDAT') stream.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') return next === bytes.length && inflatesTo(Buffer.concat(stream), expected);
    offset = next;
  }
  return false;
}

function inflatesTo(stream: Buffer, expected: number): boolean {
  try {
    return inflateSync(stream, { maxOutputLength: expected }).length === expected;
  } catch {
    return false; // not a zlib stream, cut short, or longer than the image
  }
}

/**
 * A drawn signature (a PNG data URL) made safe to keep and print: its header is read first (a width or
 * height beyond 2000 × 1000, or an interlaced image, is refused before anything is decoded), its data must be
 * whole (hasWholeImageData), then the whole image is decoded and written anew, so that only its pixels are
 * kept: no chunk, byte or trailer of the upload reaches the database or the sealed PDF. Returns the new data
 * URL, or the reason it is refused.
 */
export function normalizeSignatureImage(input: unknown): { image: string } | { problem: string } {
  const match = typeof input === 'string' ? /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(input) : null;
  if (!match) return { problem: '署名欄に指で署名してください' };
  const bytes = Buffer.from(match[1], 'base64');
  if (bytes.length > MAX_SIGNATURE_BYTES) return { problem: '署名の画像が大きすぎます。もう一度署名してください' };
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    return { problem: UNREADABLE };
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0) return { problem: UNREADABLE };
  if (width > MAX_SIGNATURE_WIDTH || height > MAX_SIGNATURE_HEIGHT) {
    return {
      problem: `署名の画像が大きすぎます（${width}×${height}）。幅${MAX_SIGNATURE_WIDTH}×高さ${MAX_SIGNATURE_HEIGHT}ピクセルまでです`,
    };
  }
  // pngjs inflates an interlaced image without a size limit; a signature pad never draws one.
  if (bytes[28] !== 0) return { problem: UNREADABLE };
  if (!hasWholeImageData(bytes, width, height)) return { problem: UNREADABLE };
  let decoded: PNG;
  try {
    decoded = PNG.sync.read(bytes);
  } catch {
    return { problem: UNREADABLE };
  }
  if (decoded.width !== width || decoded.height !== height) return { problem: UNREADABLE };
  const clean = new PNG({ width, height });
  decoded.data.copy(clean.data);
  const encoded = PNG.sync.write(clean, { colorType: 6, filterType: 0, deflateLevel: 6 });
  if (encoded.length > MAX_STORED_BYTES) return { problem: '署名の画像が複雑すぎます。もう一度署名してください' };
  return { image: `data:image/png;base64,${encoded.toString('base64')}` };
}
