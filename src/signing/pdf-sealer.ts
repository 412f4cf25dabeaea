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
    reason: info.reason,
    location: info.location,
    contactInfo: info.contactInfo,
    name: certificate.name,
    signingTime: info.signingTime,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'renkei-forms',
  });
  const prepared = Buffer.from(await document.save({ useObjectStreams: false }));
  const signer = new P12Signer(certificate.p12, { passphrase: certificate.passphrase });
  return Buffer.from(await signpdf.sign(prepared, signer, info.signingTime));
}
