import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';

/** Reads the QR code printed on a PDF's first page, as a phone camera would see the sheet. */
export function readQrFromPdf(pdf: Buffer): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-qr-'));
  writeFileSync(join(dir, 'doc.pdf'), pdf);
  execFileSync('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', join(dir, 'doc.pdf'), join(dir, 'page')]);
  const file = readdirSync(dir).find((f) => f.endsWith('.ppm'))!;
  const { width, height, rgba } = readPpm(readFileSync(join(dir, file)));
  return jsQR(rgba, width, height)?.data ?? null;
}

/** Binary PPM (P6), as pdftoppm writes it. */
function readPpm(data: Buffer): { width: number; height: number; rgba: Uint8ClampedArray } {
  const header = data
    .subarray(0, 50)
    .toString('latin1')
    .match(/^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error('not a P6 PPM');
  const [, w, h] = header.map(Number);
  const pixels = data.subarray(header[0].length);
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    rgba[i * 4] = pixels[j];
    rgba[i * 4 + 1] = pixels[j + 1];
    rgba[i * 4 + 2] = pixels[j + 2];
    rgba[i * 4 + 3] = 255;
  }
  return { width: w, height: h, rgba };
}
