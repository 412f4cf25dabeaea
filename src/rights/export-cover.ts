import { readFileSync } from 'node:fs';
import { PDFDocument, PDFFont, PDFPage, rgb } from 'pdf-lib';
import { loadFontkit } from '../common/fontkit';

const GOTHIC_FONT = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf';
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;

/** One line of the cover: a heading, a line of text, or an entry (a file's name and what it holds). */
export type CoverLine = { heading: string } | { text: string } | { file: string; about: string };

/**
 * The disclosure's cover, index.pdf: a Japanese list of what the ZIP holds. Drawn with pdf-lib and the
 * forms' IPAex Gothic (a TrueType subset, like every other PDF of the service) in the API process itself:
 * the API has no browser, and a list of lines needs none, so the export answers at once instead of
 * waiting for the worker.
 */
export async function drawCover(title: string, lines: CoverLine[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(await loadFontkit());
  pdf.setTitle(title);
  pdf.setLanguage('ja-JP');
  const font = await pdf.embedFont(readFileSync(GOTHIC_FONT), { subset: true });
  const writer = new Writer(pdf, font);
  writer.write(title, 18, 0, 10);
  for (const line of lines) {
    if ('heading' in line) writer.write(line.heading, 13, 0, 6, 10);
    else if ('text' in line) writer.write(line.text, 10.5, 0, 3);
    else {
      writer.write(line.file, 10, 0, 0);
      writer.write(line.about, 9.5, 14, 4);
    }
  }
  writer.numberPages();
  return Buffer.from(await pdf.save());
}

/** Lays text out top to bottom, wrapping at the margin (character by character: Japanese has no spaces). */
class Writer {
  private page: PDFPage;
  private y = A4.height - MARGIN;

  constructor(
    private readonly pdf: PDFDocument,
    private readonly font: PDFFont,
  ) {
    this.page = pdf.addPage([A4.width, A4.height]);
  }

  write(text: string, size: number, indent: number, after: number, before = 0): void {
    this.y -= before;
    for (const line of this.wrap(text, size, A4.width - 2 * MARGIN - indent)) {
      if (this.y - size < MARGIN + 20) {
        this.page = this.pdf.addPage([A4.width, A4.height]);
        this.y = A4.height - MARGIN;
      }
      this.y -= size * 1.45;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font: this.font, color: rgb(0, 0, 0) });
    }
    this.y -= after;
  }

  numberPages(): void {
    const pages = this.pdf.getPages();
    pages.forEach((page, i) => {
      const label = `${i + 1} / ${pages.length}`;
      const width = this.font.widthOfTextAtSize(label, 9);
      page.drawText(label, { x: (A4.width - width) / 2, y: MARGIN / 2, size: 9, font: this.font, color: rgb(0.3, 0.3, 0.3) });
    });
  }

  private wrap(text: string, size: number, width: number): string[] {
    const lines: string[] = [];
    let current = '';
    for (const char of text) {
      if (current && this.font.widthOfTextAtSize(current + char, size) > width) {
        lines.push(current);
        current = '';
      }
      current += char;
    }
    return [...lines, current];
  }
}
