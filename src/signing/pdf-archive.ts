import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFRef } from 'pdf-lib';
import { TimestampInfo, cmsCertificates, readSignature, readTimestampToken, sha256 } from './cms';
import { PdfSignature, checkSignature, pdfSignatures, sealTimestamp } from './pdf-sealer';
import { TimestampAuthority } from './timestamp-authority';
import { ValidationData, collectValidationData, dedupe } from './validation-data';

/**
 * PAdES long-term archive (B-LT, B-LTA) by incremental updates: what is appended never changes a byte that
 * was there, so every earlier signature keeps covering exactly what it covered. pdf-lib reads the file;
 * the update (objects, xref section, trailer with /Prev) is written here, because pdf-lib's save rewrites all.
 */

/** Room for a document timestamp's token (with the authority's chain); real authorities send 4–8 KB. */
const TIMESTAMP_BYTES = 16_384;

/** Signatures read from a file: enough for decades of renewals. */
const MAX_SIGNATURES = 64;

/** A signature in the file and what it is: the seal (a CMS signature) or a document timestamp (RFC 3161). */
export interface ReadSignature extends PdfSignature {
  kind: 'seal' | 'document-timestamp';
  /** The token of a document timestamp, checked; null for the seal. */
  timestamp: TimestampInfo | null;
  /** Whether it still covers its bytes: the seal's digest, or the timestamp's imprint. */
  holds: boolean;
  /** For the seal: the certificate whose key made it. */
  certificate: Buffer | null;
}

const covered = (pdf: Buffer, s: PdfSignature) => Buffer.concat([pdf.subarray(0, s.gap[0]), pdf.subarray(s.gap[1], s.end)]);

/** Every signature the file declares, first first, each checked; ones that cannot be read at all are left out. */
export function readSignatures(pdf: Buffer): ReadSignature[] {
  const found: ReadSignature[] = [];
  for (const signature of pdfSignatures(pdf, MAX_SIGNATURES)) {
    let timestamp: TimestampInfo | null = null;
    try {
      timestamp = readTimestampToken(signature.cms);
    } catch {
      timestamp = null;
    }
    if (timestamp) {
      const holds = timestamp.hashAlgorithm === 'sha256' && timestamp.messageImprint.equals(sha256(covered(pdf, signature)));
      found.push({ ...signature, kind: 'document-timestamp', timestamp, holds, certificate: null });
      continue;
    }
    const check = checkSignature(pdf, signature);
    if (check) found.push({ ...signature, kind: 'seal', timestamp: null, holds: check.holds, certificate: check.certificate });
  }
  return found;
}

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface ArchiveFacts {
  level: PadesLevel;
  /** The seal's signature timestamp, then each document timestamp, oldest first. */
  timestamps: Array<{ kind: 'signature' | 'document'; time: Date; issuer: string; validUntil: Date }>;
  /** The newest timestamp's certificate's expiry: until then it can be checked as it is. */
  verifiableUntil: Date | null;
}

/**
 * The PAdES level of a sealed file whose seal is `seal` and whose bytes after it are our own updates:
 * B-B a bare seal, B-T with a signature timestamp, B-LT with validation data (DSS), B-LTA with a document
 * timestamp over all that.
 */
export function archiveFacts(pdf: Buffer, signatures: ReadSignature[]): ArchiveFacts {
  const timestamps: ArchiveFacts['timestamps'] = [];
  const signatureTimestamp = sealTimestamp(pdf);
  if (signatureTimestamp)
    timestamps.push({
      kind: 'signature',
      time: signatureTimestamp.time,
      issuer: signatureTimestamp.authority,
      validUntil: signatureTimestamp.validUntil,
    });
  for (const s of signatures)
    if (s.kind === 'document-timestamp' && s.holds && s.timestamp)
      timestamps.push({ kind: 'document', time: s.timestamp.time, issuer: s.timestamp.authority, validUntil: s.timestamp.validUntil });
  const hasDss = /\/DSS\s+\d+\s+\d+\s+R/.test(pdf.toString('latin1'));
  const level: PadesLevel = !signatureTimestamp
    ? 'B-B'
    : timestamps.some((t) => t.kind === 'document') && hasDss
      ? 'B-LTA'
      : hasDss
        ? 'B-LT'
        : 'B-T';
  const newest = timestamps[timestamps.length - 1];
  return { level, timestamps, verifiableUntil: newest ? newest.validUntil : null };
}

/**
 * PAdES B-LTA from a sealed file with its signature timestamp: validation data (the seal's chain, the
 * timestamping authority's chain, OCSP responses or CRLs for each) in a DSS, then a document timestamp.
 * Any source or the authority failing throws: the seal is not made (and is retried), never made weaker.
 */
export async function extendToLta(sealed: Buffer, authority: TimestampAuthority, timeoutMs = 15_000): Promise<Buffer> {
  const seal = readSignatures(sealed).find((s) => s.kind === 'seal' && s.holds);
  if (!seal?.certificate) throw new Error('the file has no seal to extend');
  const { timestampToken } = readSignature(seal.cms);
  if (!timestampToken) throw new Error('the seal has no signature timestamp to extend');
  const stamp = readTimestampToken(timestampToken);
  const crls = new Map<string, Promise<Buffer>>();
  const sealData = await collectValidationData(seal.certificate, cmsCertificates(seal.cms), timeoutMs, crls);
  const stampData = await collectValidationData(stamp.certificate, stamp.certificates, timeoutMs, crls);
  const data = dedupe({
    certificates: [...sealData.certificates, ...stampData.certificates],
    ocsps: [...sealData.ocsps, ...stampData.ocsps],
    crls: [...sealData.crls, ...stampData.crls],
  });
  return addDocumentTimestamp(await addValidationData(sealed, [{ signature: seal.cms, data }]), authority);
}

/**
 * Archive-timestamp renewal: validation data for the newest document timestamp's authority, then a new
 * document timestamp over everything, so the file stays verifiable after that authority's certificate ends.
 */
export async function renewArchiveTimestamp(pdf: Buffer, authority: TimestampAuthority, timeoutMs = 15_000): Promise<Buffer> {
  const last = readSignatures(pdf)
    .filter((s) => s.kind === 'document-timestamp' && s.holds)
    .pop();
  if (!last?.timestamp) throw new Error('the file has no document timestamp to renew');
  const data = await collectValidationData(last.timestamp.certificate, last.timestamp.certificates, timeoutMs);
  return addDocumentTimestamp(await addValidationData(pdf, [{ signature: last.cms, data }]), authority);
}

/** The DER of a signature's /Contents and its VRI key: the uppercase hex SHA-1 of it. */
export const vriKey = (cms: Buffer) => createHash('sha1').update(cms).digest('hex').toUpperCase();

/**
 * Appends a DSS (merged with the one already there) holding `entries`' validation data, each also listed
 * under its signature's VRI key.
 */
export async function addValidationData(pdf: Buffer, entries: Array<{ signature: Buffer; data: ValidationData }>): Promise<Buffer> {
  const update = await Update.open(pdf);
  const { context, catalog } = update.document;
  const existing = catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  const refsOf = (key: string) => (existing?.lookupMaybe(PDFName.of(key), PDFArray)?.asArray() ?? []) as PDFObject[];
  const streams = new Map<string, PDFRef>();
  const streamOf = (der: Buffer) => {
    const key = createHash('sha256').update(der).digest('hex');
    let ref = streams.get(key);
    if (!ref) {
      ref = update.add(Buffer.concat([Buffer.from(`<< /Length ${der.length} >>\nstream\n`, 'latin1'), der, Buffer.from('\nendstream')]));
      streams.set(key, ref);
    }
    return ref;
  };
  const all = dedupe({
    certificates: entries.flatMap((e) => e.data.certificates),
    ocsps: entries.flatMap((e) => e.data.ocsps),
    crls: entries.flatMap((e) => e.data.crls),
  });
  const list = (items: PDFObject[]) => `[${items.map((i) => i.toString()).join(' ')}]`;
  const vri = existing?.lookupMaybe(PDFName.of('VRI'), PDFDict);
  const vriEntries = vri ? vri.entries().map(([name, value]) => `${name.toString()} ${value.toString()}`) : [];
  for (const { signature, data } of entries) {
    const parts = [
      `/Cert ${list(data.certificates.map(streamOf))}`,
      data.ocsps.length ? `/OCSP ${list(data.ocsps.map(streamOf))}` : '',
      data.crls.length ? `/CRL ${list(data.crls.map(streamOf))}` : '',
    ];
    vriEntries.push(`/${vriKey(signature)} << ${parts.filter(Boolean).join(' ')} >>`);
  }
  const dss = [
    `/Certs ${list([...refsOf('Certs'), ...all.certificates.map(streamOf)])}`,
    `/OCSPs ${list([...refsOf('OCSPs'), ...all.ocsps.map(streamOf)])}`,
    `/CRLs ${list([...refsOf('CRLs'), ...all.crls.map(streamOf)])}`,
    `/VRI << ${vriEntries.join(' ')} >>`,
  ];
  const dssRef = update.add(Buffer.from(`<< /Type /DSS ${dss.join(' ')} >>`, 'latin1'));
  catalog.set(PDFName.of('DSS'), dssRef);
  update.rewrite(context.trailerInfo.Root as PDFRef, catalog);
  return update.write();
}

/**
 * Appends a document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161): an RFC 3161 token over
 * every byte of the file but its own /Contents. An authority that fails throws: nothing is appended.
 */
export async function addDocumentTimestamp(pdf: Buffer, authority: TimestampAuthority): Promise<Buffer> {
  const update = await Update.open(pdf);
  const { context, catalog } = update.document;
  const RANGE = '[0 0000000000 0000000000 0000000000]';
  const signature = update.add(
    Buffer.from(
      `<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange ${RANGE} /Contents <${'0'.repeat(TIMESTAMP_BYTES * 2)}> >>`,
      'latin1',
    ),
  );
  const page = update.document.getPage(0);
  const widget = update.add(
    Buffer.from(
      `<< /Type /Annot /Subtype /Widget /FT /Sig /T (${`DocumentTimestamp${Date.now()}`}) /V ${signature.toString()} /F 132 /Rect [0 0 0 0] /P ${page.ref.toString()} >>`,
      'latin1',
    ),
  );
  // The field joins the form's fields, and its widget the first page's annotations (each written where it lives).
  let acroForm = catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  if (!acroForm) {
    acroForm = context.obj({}) as PDFDict;
    catalog.set(PDFName.of('AcroForm'), acroForm);
  }
  acroForm.set(PDFName.of('SigFlags'), context.obj(3));
  appendTo(update, acroForm, 'Fields', widget);
  appendTo(update, page.node, 'Annots', widget);
  const acroFormRef = catalog.get(PDFName.of('AcroForm'));
  if (acroFormRef instanceof PDFRef) update.rewrite(acroFormRef, acroForm);
  update.rewrite(page.ref, page.node);
  update.rewrite(context.trailerInfo.Root as PDFRef, catalog);

  const written = update.write();
  const at = written.indexOf(`${signature.objectNumber} 0 obj`, pdf.length);
  const rangeAt = written.indexOf(RANGE, at);
  const start = written.indexOf('/Contents <', at) + '/Contents '.length;
  const end = start + TIMESTAMP_BYTES * 2 + 2;
  const range = `[0 ${start} ${end} ${written.length - end}`;
  written.write(range.padEnd(RANGE.length - 1, ' '), rangeAt, 'latin1');
  const { token } = await authority.stamp(Buffer.concat([written.subarray(0, start), written.subarray(end)]));
  if (token.length > TIMESTAMP_BYTES) throw new Error(`the document timestamp (${token.length} bytes) does not fit its room`);
  written.write(token.toString('hex'), start + 1, 'latin1');
  return written;
}

/** Adds `item` to the array `key` of `holder`: the array rewritten where it lives (its own object, or inside holder). */
function appendTo(update: Update, holder: PDFDict, key: string, item: PDFRef): void {
  const value = holder.get(PDFName.of(key));
  if (value instanceof PDFRef) {
    const array = update.document.context.lookup(value, PDFArray);
    array.push(item);
    update.rewrite(value, array);
  } else if (value instanceof PDFArray) {
    value.push(item);
  } else {
    holder.set(PDFName.of(key), update.document.context.obj([item]));
  }
}

/** One incremental update: new and rewritten objects, then an xref section and a trailer pointing back. */
class Update {
  private readonly objects = new Map<number, { generation: number; body: Buffer }>();
  private next: number;

  private constructor(
    private readonly original: Buffer,
    readonly document: PDFDocument,
    private readonly previousXref: number,
  ) {
    this.next = document.context.largestObjectNumber + 1;
  }

  static async open(pdf: Buffer): Promise<Update> {
    const tail = pdf.subarray(Math.max(0, pdf.length - 1024)).toString('latin1');
    const startxref = [...tail.matchAll(/startxref\s+(\d+)/g)].pop();
    if (!startxref) throw new Error('the PDF has no startxref: it cannot be updated incrementally');
    const document = await PDFDocument.load(pdf, { updateMetadata: false });
    return new Update(pdf, document, Number(startxref[1]));
  }

  add(body: Buffer): PDFRef {
    const ref = PDFRef.of(this.next++, 0);
    this.objects.set(ref.objectNumber, { generation: 0, body });
    return ref;
  }

  rewrite(ref: PDFRef, object: PDFObject): void {
    this.objects.set(ref.objectNumber, { generation: ref.generationNumber, body: Buffer.from(object.toString(), 'latin1') });
  }

  write(): Buffer {
    const parts: Buffer[] = [this.original];
    let offset = this.original.length;
    const push = (bytes: Buffer) => {
      parts.push(bytes);
      offset += bytes.length;
    };
    if (this.original[this.original.length - 1] !== 0x0a) push(Buffer.from('\n'));
    const offsets = new Map<number, { offset: number; generation: number }>();
    for (const [number, { generation, body }] of [...this.objects].sort(([a], [b]) => a - b)) {
      offsets.set(number, { offset, generation });
      push(Buffer.concat([Buffer.from(`${number} ${generation} obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]));
    }
    const xref = offset;
    const lines = ['xref'];
    const numbers = [...offsets.keys()];
    for (let i = 0; i < numbers.length;) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
      lines.push(`${numbers[i]} ${j - i + 1}`);
      for (let k = i; k <= j; k++) {
        const entry = offsets.get(numbers[k])!;
        lines.push(`${String(entry.offset).padStart(10, '0')} ${String(entry.generation).padStart(5, '0')} n `);
      }
      i = j + 1;
    }
    const { Root, Info, ID } = this.document.context.trailerInfo;
    if (!Root) throw new Error('the PDF has no catalog');
    const trailer = [
      `/Size ${Math.max(this.next, this.document.context.largestObjectNumber + 1)}`,
      `/Root ${Root.toString()}`,
      Info ? `/Info ${Info.toString()}` : '',
      ID ? `/ID ${ID.toString()}` : '',
      `/Prev ${this.previousXref}`,
    ];
    push(Buffer.from(`${lines.join('\n')}\ntrailer\n<< ${trailer.filter(Boolean).join(' ')} >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }
}
