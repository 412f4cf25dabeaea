import { readFileSync } from 'node:fs';
import { PDFDocument, rgb } from 'pdf-lib';
import { loadFontkit } from '../common/fontkit';

const GOTHIC_FONT = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf';

export async function mergePdfs(parts: Buffer[]): Promise<Buffer> {
  const merged = await PDFDocument.create();
  for (const part of parts) {
    const source = await PDFDocument.load(part);
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  return Buffer.from(await merged.save());
}

/** A copy (写し) of the signed document: every page stamped, and no seal (a copy is not the original). */
export async function stampCopy(pdf: Buffer): Promise<Buffer> {
  const document = await PDFDocument.load(pdf);
  document.registerFontkit(await loadFontkit());
  // The TrueType Gothic of the forms, subset to the two glyphs, so the copy still lists only CID TrueType fonts.
  const font = await document.embedFont(readFileSync(GOTHIC_FONT), { subset: true });
  for (const page of document.getPages()) {
    const { width, height } = page.getSize();
    page.drawRectangle({ x: width - 92, y: height - 52, width: 70, height: 32, borderColor: rgb(0.75, 0, 0), borderWidth: 1.5 });
    page.drawText('写し', { x: width - 82, y: height - 44, size: 20, font, color: rgb(0.75, 0, 0) });
  }
  return Buffer.from(await document.save());
}
