import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { P12Signer } from '@signpdf/signer-p12';
import signpdf from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument } from 'pdf-lib';
import { SealCertificate } from './seal-certificate';

export interface SealInfo {
  reason: string;
  location: string;
  contactInfo: string;
  signingTime: Date;
}

/** Applies the service's PAdES signature (ETSI.CAdES.detached) to a finished PDF. */
export async function sealPdf(pdf: Buffer, certificate: SealCertificate, info: SealInfo): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  pdflibAddPlaceholder({
    pdfDoc: document,
    reason: pdfLiteral(info.reason),
    location: pdfLiteral(info.location),
    contactInfo: pdfLiteral(info.contactInfo),
    name: pdfLiteral(certificate.name, 'renkei-forms'),
    signingTime: info.signingTime,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'renkei-forms',
  });
  const prepared = Buffer.from(await document.save({ useObjectStreams: false }));
  const signer = new P12Signer(certificate.p12, { passphrase: certificate.passphrase });
  return Buffer.from(await signpdf.sign(prepared, signer, info.signingTime));
}

/**
 * @signpdf's placeholder writes these values as PDF literal strings without escaping them, so a
 * parenthesis, a backslash or a multi-byte character (whose bytes may include either) would corrupt the
 * file. Keep printable ASCII; a value with nothing left falls back.
 */
export function pdfLiteral(value: string, fallback = '-'): string {
  const kept = value.replace(/[^\x20-\x7e]|[()\\]/g, '').replace(/\s+/g, ' ').trim();
  return kept || fallback;
}
