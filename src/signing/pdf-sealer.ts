import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import signpdf from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED, Signer } from '@signpdf/utils';
import { PDFDocument, PDFHexString, PDFInvalidObject } from 'pdf-lib';
import { TimestampInfo, readSignature, readTimestampToken, sha256, signDetached, timestampAttribute, cmsSigner } from './cms';
import { readDer } from './der';
import { SealCertificate } from './seal-certificate';
import { TimestampAuthority } from './timestamp-authority';

export interface SealInfo {
  reason: string;
  location: string;
  contactInfo: string;
  signingTime: Date;
}

/**
 * The service's CMS signature over the PDF's byte ranges; with an authority, an RFC 3161 timestamp over
 * the signature value goes in as an unsigned attribute (PAdES B-T). Any timestamping failure throws.
 */
class SealSigner extends Signer {
  constructor(
    private readonly certificate: SealCertificate,
    private readonly authority: TimestampAuthority | null,
  ) {
    super();
  }

  override async sign(content: Buffer): Promise<Buffer> {
    const { signatureValue, assemble } = signDetached(content, this.certificate);
    if (!this.authority) return assemble();
    const { token } = await this.authority.stamp(signatureValue);
    return assemble([timestampAttribute(token)]);
  }
}

/** Room for the CMS signature in the PDF: ours is ~1.5 KB; a timestamp token with its chain adds several. */
const SIGNATURE_BYTES = { plain: 8_192, timestamped: 24_576 };

/** Applies the service's PAdES signature (ETSI.CAdES.detached) to a finished PDF, timestamped if asked. */
export async function sealPdf(
  pdf: Buffer,
  certificate: SealCertificate,
  info: SealInfo,
  authority: TimestampAuthority | null = null,
): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  pdflibAddPlaceholder({
    signatureLength: authority ? SIGNATURE_BYTES.timestamped : SIGNATURE_BYTES.plain,
    pdfDoc: document,
    reason: MARKER.reason,
    location: MARKER.location,
    contactInfo: MARKER.contactInfo,
    name: MARKER.name,
    signingTime: info.signingTime,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'renkei-forms',
  });
  writeTextStrings(document, {
    [MARKER.reason]: info.reason,
    [MARKER.location]: info.location,
    [MARKER.contactInfo]: info.contactInfo,
    [MARKER.name]: certificate.name,
  });
  const prepared = Buffer.from(await document.save({ useObjectStreams: false }));
  return Buffer.from(await signpdf.sign(prepared, new SealSigner(certificate, authority), info.signingTime));
}

/** The CMS signature in a signed PDF (its last signature), or null if it has none we can read. */
export function pdfSignature(pdf: Buffer): Buffer | null {
  const at = pdf.lastIndexOf('/ByteRange [');
  if (at < 0) return null;
  const range = /^\/ByteRange \[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.subarray(at, at + 80).toString('latin1'));
  if (!range) return null;
  const [start, end] = [Number(range[2]) + 1, Number(range[3]) - 1]; // inside the <hex> of /Contents
  if (end <= start || end > pdf.length) return null;
  try {
    return readDer(Buffer.from(pdf.subarray(start, end).toString('latin1'), 'hex')).bytes;
  } catch {
    return null;
  }
}

/** A signature in a PDF: the revision it covers ends at `end`; its CMS sits between `gap[0]` and `gap[1]`. */
export interface PdfSignature {
  end: number;
  gap: [number, number];
  cms: Buffer;
}

/**
 * The signatures a PDF declares (at most `max`, first in the file first), read from their /ByteRange without
 * checking them. A signature covers its revision: everything up to `end` but its own /Contents; bytes after
 * `end` were added later (an incremental update), after it was made.
 */
export function pdfSignatures(pdf: Buffer, max = 4): PdfSignature[] {
  const found: PdfSignature[] = [];
  for (let at = pdf.indexOf('/ByteRange'); at >= 0 && found.length < max; at = pdf.indexOf('/ByteRange', at + 1)) {
    const range = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.subarray(at, at + 100).toString('latin1'));
    if (!range) continue;
    const [a, b, c, d] = range.slice(1).map(Number);
    if (a !== 0 || c <= b + 1 || c + d > pdf.length || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) continue;
    try {
      const cms = readDer(Buffer.from(pdf.subarray(b + 1, c - 1).toString('latin1'), 'hex')).bytes;
      found.push({ end: c + d, gap: [b, c], cms });
    } catch {
      continue;
    }
  }
  return found;
}

/**
 * Who made the signature (the certificate whose key verifies it), and whether it still holds over the bytes
 * it covers; null when it verifies against no certificate it carries.
 */
export function checkSignature(pdf: Buffer, signature: PdfSignature): { certificate: Buffer; holds: boolean } | null {
  const [b, c] = signature.gap;
  const signer = cmsSigner(signature.cms, Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, signature.end)]));
  return signer ? { certificate: signer.certificate, holds: signer.digestMatches } : null;
}

/**
 * The RFC 3161 timestamp on a PDF's seal (its first signature: document timestamps come after it), checked:
 * the token's own signature, and that it covers this seal's signature value. Null when there is none, or it
 * does not hold.
 */
export function sealTimestamp(pdf: Buffer): TimestampInfo | null {
  const cms = pdfSignatures(pdf, 1)[0]?.cms;
  if (!cms) return null;
  try {
    const { signatureValue, timestampToken } = readSignature(cms);
    if (!timestampToken) return null;
    const info = readTimestampToken(timestampToken);
    return info.hashAlgorithm === 'sha256' && info.messageImprint.equals(sha256(signatureValue)) ? info : null;
  } catch {
    return null;
  }
}

const MARKER = {
  reason: 'renkei-seal-reason',
  location: 'renkei-seal-location',
  contactInfo: 'renkei-seal-contact',
  name: 'renkei-seal-name',
};

/**
 * @signpdf's placeholder writes its strings as PDF literals without escaping them, and serializes the
 * signature dictionary at once. So it is given ASCII markers, swapped here for UTF-16 text strings (any
 * script, nothing to escape) before the file is written.
 */
function writeTextStrings(document: PDFDocument, texts: Record<string, string>): void {
  let written = 0;
  for (const [ref, object] of document.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFInvalidObject)) continue;
    const bytes = new Uint8Array(object.sizeInBytes());
    object.copyBytesInto(bytes, 0);
    let dictionary = Buffer.from(bytes).toString('latin1');
    if (!dictionary.includes('/Type /Sig')) continue;
    for (const [marker, value] of Object.entries(texts)) {
      if (!dictionary.includes(`(${marker})`)) continue;
      dictionary = dictionary.replace(`(${marker})`, PDFHexString.fromText(value).toString());
      written++;
    }
    document.context.assign(ref, PDFInvalidObject.of(Buffer.from(dictionary, 'latin1')));
  }
  if (written !== Object.keys(texts).length)
    throw new Error('the signature dictionary is not as expected: its text strings could not be written');
}
