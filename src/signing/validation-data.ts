import { X509Certificate, createHash } from 'node:crypto';
import * as pkijs from 'pkijs';

/** Validation data could not be had or says the certificate is not good: sealing (or renewal) must not go on. */
export class ValidationDataError extends Error {}

/** What a DSS carries for one signature: certificates, OCSP responses and CRLs (DER), deduplicated. */
export interface ValidationData {
  certificates: Buffer[];
  ocsps: Buffer[];
  crls: Buffer[];
}

const OID = {
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  crlDistributionPoints: '2.5.29.31',
};

const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');

const issuedBy = (certificate: Buffer, candidate: Buffer) => {
  const [child, parent] = [new X509Certificate(certificate), new X509Certificate(candidate)];
  return child.checkIssued(parent) && child.verify(parent.publicKey);
};

/**
 * The chain of `leaf` up to a self-signed certificate: issuers from the certificates at hand, else from the
 * "CA Issuers" address a certificate names (authorities often send their own certificate alone).
 */
export async function chainOf(leaf: Buffer, pool: Buffer[], timeoutMs = 15_000): Promise<Buffer[]> {
  const chain = [leaf];
  while (chain.length < 8) {
    const current = chain[chain.length - 1];
    if (isSelfSigned(current)) break; // a root
    let issuer = pool.find((c) => issuedBy(current, c));
    const url = issuer ? null : revocationSources(parse(current)).caIssuers[0];
    if (url) {
      const fetched = await fetchBytes(url, { method: 'GET' }, timeoutMs, 'CA Issuers address');
      const der = fetched[0] === 0x30 ? fetched : Buffer.from(new X509Certificate(fetched).raw);
      if (!issuedBy(current, der)) throw new ValidationDataError(`the certificate at ${url} did not issue ${subjectOf(current)}`);
      issuer = der;
    }
    if (!issuer || chain.some((c) => c.equals(issuer))) break;
    chain.push(issuer);
  }
  return chain;
}

function isSelfSigned(der: Buffer): boolean {
  const certificate = new X509Certificate(der);
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
}

function parse(der: Buffer): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(der));
}

/** Where a certificate says its status can be asked (OCSP, CRL) and its issuer fetched (CA Issuers); http only. */
function revocationSources(certificate: pkijs.Certificate): { ocsp: string[]; crl: string[]; caIssuers: string[] } {
  const ocsp: string[] = [];
  const crl: string[] = [];
  const caIssuers: string[] = [];
  for (const extension of certificate.extensions ?? []) {
    if (extension.extnID === OID.authorityInfoAccess) {
      const access = extension.parsedValue as pkijs.InfoAccess;
      for (const description of access.accessDescriptions)
        if (description.accessLocation.type === 6 && description.accessMethod === OID.ocsp)
          ocsp.push(description.accessLocation.value as string);
        else if (description.accessLocation.type === 6 && description.accessMethod === OID.caIssuers)
          caIssuers.push(description.accessLocation.value as string);
    }
    if (extension.extnID === OID.crlDistributionPoints) {
      const points = extension.parsedValue as pkijs.CRLDistributionPoints;
      for (const point of points.distributionPoints)
        for (const name of Array.isArray(point.distributionPoint) ? point.distributionPoint : [])
          if (name.type === 6) crl.push(name.value as string);
    }
  }
  const http = (url: string) => /^https?:\/\//i.test(url);
  return { ocsp: ocsp.filter(http), crl: crl.filter(http), caIssuers: caIssuers.filter(http) };
}

async function fetchBytes(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ValidationDataError(`${what} ${url} unreachable: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ValidationDataError(`${what} ${url} answered HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const subjectOf = (certificate: Buffer) => new X509Certificate(certificate).subject.replace(/\n/g, ', ');

/** An OCSP response for `certificate`, checked: signed for its issuer, about this certificate, and "good". */
async function ocspResponse(url: string, certificate: Buffer, issuer: Buffer, timeoutMs: number) {
  const [cert, issuerCert] = [parse(certificate), parse(issuer)];
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuerCert });
  const body = Buffer.from(request.toSchema(true).toBER(false));
  const answer = await fetchBytes(
    url,
    { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body },
    timeoutMs,
    'OCSP responder',
  );
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = pkijs.OCSPResponse.fromBER(new Uint8Array(answer));
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0) throw new ValidationDataError(`OCSP responder ${url} refused (status ${status})`);
    if (!response.responseBytes) throw new ValidationDataError(`OCSP responder ${url} sent no response`);
    basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
  } catch (error) {
    if (error instanceof ValidationDataError) throw error;
    throw new ValidationDataError(`unusable answer from OCSP responder ${url}: ${(error as Error).message}`);
  }
  if (!(await basic.verify({ trustedCerts: [issuerCert] }).catch(() => false)))
    throw new ValidationDataError(`the OCSP response from ${url} is not signed for the certificate's issuer`);
  const { isForCertificate, status } = await basic.getCertificateStatus(cert, issuerCert);
  if (!isForCertificate) throw new ValidationDataError(`the OCSP response from ${url} is about another certificate`);
  if (status === 1) throw new ValidationDataError(`certificate revoked: ${subjectOf(certificate)}`);
  if (status !== 0) throw new ValidationDataError(`OCSP status unknown for ${subjectOf(certificate)}`);
  const responderCertificates = (basic.certs ?? []).map((c) => Buffer.from(c.toSchema().toBER(false)));
  return { ocsp: answer, certificates: responderCertificates };
}

const fetchCrl = (url: string, timeoutMs: number) => fetchBytes(url, { method: 'GET' }, timeoutMs, 'CRL distribution point');

/** A CRL for `certificate`, checked: signed by its issuer, and not listing it. */
async function checkedCrl(der: Buffer, url: string, certificate: Buffer, issuer: Buffer): Promise<Buffer> {
  let list: pkijs.CertificateRevocationList;
  try {
    list = pkijs.CertificateRevocationList.fromBER(new Uint8Array(der));
  } catch (error) {
    throw new ValidationDataError(`unusable CRL from ${url}: ${(error as Error).message}`);
  }
  if (!(await list.verify({ issuerCertificate: parse(issuer) }).catch(() => false)))
    throw new ValidationDataError(`the CRL from ${url} is not signed by the certificate's issuer`);
  const serial = parse(certificate).serialNumber;
  if ((list.revokedCertificates ?? []).some((r) => r.userCertificate.isEqual(serial)))
    throw new ValidationDataError(`certificate revoked: ${subjectOf(certificate)}`);
  return der;
}

/**
 * Validation data for a certificate and its chain: the chain itself, and for each certificate but the root
 * the status its issuer publishes (OCSP when it names a responder, else its CRL). A certificate that names
 * neither gets none (there is nothing to ask); one that names a source that fails, or says "revoked", fails.
 */
export async function collectValidationData(
  leaf: Buffer,
  pool: Buffer[],
  timeoutMs = 15_000,
  /** CRLs fetched already in this run, by URL: one list serves every certificate its issuer issued. */
  crls = new Map<string, Promise<Buffer>>(),
): Promise<ValidationData> {
  const chain = await chainOf(leaf, pool, timeoutMs);
  const data: ValidationData = { certificates: [...chain], ocsps: [], crls: [] };
  for (let i = 0; i < chain.length - 1; i++) {
    const [certificate, issuer] = [chain[i], chain[i + 1]];
    const sources = revocationSources(parse(certificate));
    if (sources.ocsp.length) {
      const answer = await ocspResponse(sources.ocsp[0], certificate, issuer, timeoutMs);
      data.ocsps.push(answer.ocsp);
      data.certificates.push(...answer.certificates);
    } else if (sources.crl.length) {
      const url = sources.crl[0];
      if (!crls.has(url)) crls.set(url, fetchCrl(url, timeoutMs));
      data.crls.push(await checkedCrl(await crls.get(url)!, url, certificate, issuer));
    }
  }
  const top = chain[chain.length - 1];
  const sources = revocationSources(parse(top));
  if (!isSelfSigned(top) && sources.ocsp.length + sources.crl.length > 0)
    throw new ValidationDataError(`the issuer of ${subjectOf(top)} is not among the certificates at hand: its status cannot be checked`);
  return dedupe(data);
}

export function dedupe(data: ValidationData): ValidationData {
  const unique = (items: Buffer[]) => [...new Map(items.map((b) => [fingerprint(b), b])).values()];
  return { certificates: unique(data.certificates), ocsps: unique(data.ocsps), crls: unique(data.crls) };
}
