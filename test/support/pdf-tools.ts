import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reads PDFs the way a person checks them: poppler's command-line tools. */
export function pdfText(pdf: Buffer | string): string {
  return execFileSync('pdftotext', ['-layout', toFile(pdf), '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export interface PdfFont {
  name: string;
  type: string;
  embedded: boolean;
}

export function pdfFonts(pdf: Buffer | string): PdfFont[] {
  const lines = execFileSync('pdffonts', [toFile(pdf)], { encoding: 'utf8' })
    .split('\n')
    .slice(2)
    .filter(Boolean);
  return lines.map((line) => {
    // name, type (may contain a space: "CID TrueType", "Type 3"), encoding, emb, sub, uni, object number, generation
    const parts = line.trim().split(/\s+/);
    return { name: parts[0], type: parts.slice(1, parts.length - 6).join(' '), embedded: parts[parts.length - 5] === 'yes' };
  });
}

export function pdfInfo(pdf: Buffer | string): { pages: number; pageSize: string } {
  const info = execFileSync('pdfinfo', [toFile(pdf)], { encoding: 'utf8' });
  return {
    pages: Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]),
    pageSize: /^Page size:\s+(.*)$/m.exec(info)?.[1] ?? '',
  };
}

/** Text with every kind of white space removed, so that a line break inside a name still matches. */
export function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

function toFile(pdf: Buffer | string): string {
  if (typeof pdf === 'string') return pdf;
  const file = join(mkdtempSync(join(tmpdir(), 'renkei-pdf-')), 'doc.pdf');
  writeFileSync(file, pdf);
  return file;
}

/** pdfsig's report on a PDF's signatures (stdout and stderr). */
export function pdfSignatures(pdf: Buffer | string): string {
  const result = spawnSync('pdfsig', [toFile(pdf)], { encoding: 'utf8' });
  return result.stdout + result.stderr;
}
