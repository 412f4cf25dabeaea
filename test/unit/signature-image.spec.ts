import { PNG } from 'pngjs';
import { deflateSync } from 'node:zlib';
import { normalizeSignatureImage } from '../../src/signing/signature-image';
import { pngChunk, signaturePng } from '../support/png';

/** An 8-bit RGBA PNG of this size whose IDAT chunks hold these pieces of a zlib stream. */
function png(width: number, height: number, ...idat: Buffer[]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', header),
    ...idat.map((piece) => pngChunk('IDAT', piece)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;
const problemOf = (bytes: Buffer) => {
  const result = normalizeSignatureImage(dataUrl(bytes));
  return 'problem' in result ? result.problem : null;
};
const UNREADABLE = '署名の画像を読み取れませんでした。もう一度署名してください';

describe('a drawn signature’s PNG', () => {
  /** Rows of 200 × 4 bytes, each after its filter byte: 80 of them make the whole 200 × 80 image. */
  const rows = (count: number) => Buffer.alloc(count * (1 + 200 * 4));

  it('is refused when its data stops short or is no zlib stream, however the process’s memory was left', () => {
    const short = [
      png(200, 80, deflateSync(Buffer.alloc(10))),
      png(200, 80, deflateSync(rows(79))),
      png(200, 80, Buffer.from('not deflate at all')),
    ];
    // pngjs decodes these into a buffer it never finished writing: whether it fails depends on what that
    // memory held before. Left with zeros (valid filter bytes) and with a "previous request" in it, as a
    // server's is, it accepted such images about 4 times in 10, their pixels another request's bytes.
    const previousRequest = Buffer.from('PATIENT=山田花子;TOKEN=0123456789abcdef;'.repeat(1700));
    for (let attempt = 0; attempt < 200; attempt++) {
      Buffer.alloc(64 * 1024).fill(attempt % 2 ? 0 : 1);
      previousRequest.copy(Buffer.allocUnsafe(64 * 1024));
      for (const bytes of short) expect(problemOf(bytes)).toBe(UNREADABLE);
    }
  });

  it('is refused when its stream holds more than the image, or bytes follow its end', () => {
    expect(problemOf(png(200, 80, deflateSync(rows(81))))).toBe(UNREADABLE);
    const whole = Buffer.from(signaturePng(200, 80).split(',')[1], 'base64');
    expect(problemOf(Buffer.concat([whole, Buffer.from('trailer')]))).toBe(UNREADABLE);
    expect(problemOf(whole.subarray(0, whole.length - 4))).toBe(UNREADABLE); // IEND cut short
  });

  it('keeps a whole image, its stream in one IDAT chunk or in several, with the same pixels', () => {
    const drawn = Buffer.from(signaturePng(200, 80).split(',')[1], 'base64');
    const pixels = PNG.sync.read(drawn).data;
    const stream = deflateSync(filtered(pixels));
    for (const bytes of [drawn, png(200, 80, stream), png(200, 80, stream.subarray(0, 100), stream.subarray(100))]) {
      const result = normalizeSignatureImage(dataUrl(bytes));
      if (!('image' in result)) throw new Error(`refused: ${result.problem}`);
      const kept = PNG.sync.read(Buffer.from(result.image.split(',')[1], 'base64'));
      expect([kept.width, kept.height]).toEqual([200, 80]);
      expect(kept.data.equals(pixels)).toBe(true);
    }
  });
});

/** RGBA pixels of a 200-wide image as PNG rows with filter byte 0 (none). */
function filtered(pixels: Buffer): Buffer {
  const width = 200 * 4;
  const out = Buffer.alloc((pixels.length / width) * (width + 1));
  for (let row = 0; row < pixels.length / width; row++) pixels.copy(out, row * (width + 1) + 1, row * width, (row + 1) * width);
  return out;
}
