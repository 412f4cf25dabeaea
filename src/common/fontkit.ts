import type { PDFDocument } from 'pdf-lib';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

/**
 * pdf-lib's TrueType reader, loaded when a PDF first embeds a font (a 写し stamp, a disclosure's cover)
 * rather than when the process starts: it is a fifth of a second of every start, and most never need it.
 */
export async function loadFontkit(): Promise<Fontkit> {
  return (await import('@pdf-lib/fontkit')).default;
}
