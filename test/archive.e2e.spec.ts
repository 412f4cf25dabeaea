import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { archiveFacts, extendToLta, readSignatures, renewArchiveTimestamp, vriKey } from '../src/signing/pdf-archive';
import { sealPdf } from '../src/signing/pdf-sealer';
import { TimestampAuthority, TimestampError } from '../src/signing/timestamp-authority';
import { ValidationDataError } from '../src/signing/validation-data';
import { pdfSignatures } from './support/pdf-tools';
import { TestCa, startTestCa } from './support/test-ca';
import { TestTsa, TsaSigner, startTsa } from './support/tsa';

describe('PAdES B-LTA: validation data and document timestamps, checked by pdfsig and openssl', () => {
  let ca: TestCa;
  let tsa: TestTsa;
  let tsaSigner: TsaSigner;
  let pdf: Buffer;
  const info = { reason: 'test', location: 'rurume', contactInfo: 'http://localhost', signingTime: new Date() };

  beforeAll(async () => {
    ca = await startTestCa();
    const tsaCert = ca.issueTsaCertificate(3650);
    tsaSigner = { certificate: tsaCert.der, key: tsaCert.key, chain: [ca.intermediate.der, ca.root.der] };
    tsa = await startTsa(tsaSigner);
    const document = await PDFDocument.create();
    document.addPage().drawText('consent', { font: await document.embedFont(StandardFonts.Helvetica) });
    pdf = Buffer.from(await document.save());
  }, 60_000);
  afterAll(async () => {
    await tsa?.close();
    await ca?.close();
  });

  /** openssl, independently: the token is the authority's under the test root, over exactly the bytes it covers. */
  const opensslAccepts = (token: Buffer, data: Buffer) => {
    const dir = mkdtempSync(join(tmpdir(), 'renkei-lta-'));
    writeFileSync(join(dir, 'token.der'), token);
    writeFileSync(join(dir, 'data.bin'), data);
    writeFileSync(join(dir, 'root.pem'), ca.root.pem);
    const result = spawnSync(
      'openssl',
      ['ts', '-verify', '-token_in', '-in', join(dir, 'token.der'), '-data', join(dir, 'data.bin'), '-CAfile', join(dir, 'root.pem')],
      { encoding: 'utf8' },
    );
    return (result.stdout + result.stderr).includes('Verification: OK');
  };
  const coveredBy = (file: Buffer, s: { gap: [number, number]; end: number }) =>
    Buffer.concat([file.subarray(0, s.gap[0]), file.subarray(s.gap[1], s.end)]);
  const dssOf = async (file: Buffer) => {
    const document = await PDFDocument.load(file, { updateMetadata: false });
    const dss = document.catalog.lookup(PDFName.of('DSS'), PDFDict);
    const count = (key: string) => dss.lookupMaybe(PDFName.of(key), PDFArray)?.size() ?? 0;
    const vri = dss.lookup(PDFName.of('VRI'), PDFDict);
    return { certs: count('Certs'), ocsps: count('OCSPs'), crls: count('CRLs'), vri: vri.keys().map((k) => k.asString().slice(1)) };
  };
  /** qpdf, independently: the xref sections and trailers of every update are sound. */
  const qpdfChecks = (file: Buffer) => {
    const path = join(mkdtempSync(join(tmpdir(), 'renkei-lta-')), 'file.pdf');
    writeFileSync(path, file);
    const result = spawnSync('qpdf', ['--check', path], { encoding: 'utf8' });
    return result.status === 0 && !/WARNING/i.test(result.stdout + result.stderr);
  };
  const sealWith = (certificate = ca.seal) => sealPdf(pdf, certificate, info, new TimestampAuthority(tsa.url));

  beforeEach(async () => {
    tsa.behaviour = 'grant';
    tsa.useCertificate(tsaSigner);
    await ca.startOcsp();
  });

  it('seals B-LTA: a DSS with both chains and their OCSP/CRL data, then a document timestamp openssl accepts', async () => {
    const sealed = await sealWith();
    const lta = await extendToLta(sealed, new TimestampAuthority(tsa.url));
    expect(lta.subarray(0, sealed.length).equals(sealed)).toBe(true); // an incremental update: earlier bytes untouched
    expect(qpdfChecks(lta)).toBe(true);

    const report = pdfSignatures(lta);
    expect(report).toContain('Signature #2');
    expect(report.split('Signature #2')[0]).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signer Certificate Common Name: renkei Test TSA');

    const [seal, stamp] = readSignatures(lta);
    expect(seal).toMatchObject({ kind: 'seal', holds: true });
    expect(stamp).toMatchObject({ kind: 'document-timestamp', holds: true, end: lta.length });
    expect(opensslAccepts(stamp.cms, coveredBy(lta, stamp))).toBe(true);
    expect(opensslAccepts(stamp.cms, Buffer.concat([coveredBy(lta, stamp), Buffer.from('x')]))).toBe(false);

    // Seal chain (seal, issuing CA, root) + TSA certificate + OCSP responder; OCSP for the seal; CRLs for the TSA and the issuing CA.
    const dss = await dssOf(lta);
    expect(dss).toMatchObject({ certs: 5, ocsps: 1, crls: 2 });
    expect(dss.vri).toEqual([vriKey(seal.cms)]);
    expect(ca.crlRequests).toBeGreaterThanOrEqual(2);

    const facts = archiveFacts(lta, readSignatures(lta));
    expect(facts.level).toBe('B-LTA');
    expect(facts.timestamps.map((t) => t.kind)).toEqual(['signature', 'document']);
    expect(archiveFacts(sealed, readSignatures(sealed)).level).toBe('B-T');
  });

  it('renews: validation data for the expiring timestamp and a second document timestamp; every earlier signature still holds', async () => {
    const expiring = ca.issueTsaCertificate(30);
    tsa.useCertificate({ certificate: expiring.der, key: expiring.key, chain: [ca.intermediate.der, ca.root.der] });
    const lta = await extendToLta(await sealWith(), new TimestampAuthority(tsa.url));
    const before = archiveFacts(lta, readSignatures(lta));
    expect(before.verifiableUntil!.getTime()).toBeLessThan(Date.now() + 31 * 86_400_000);

    const fresh = ca.issueTsaCertificate(3650);
    tsa.useCertificate({ certificate: fresh.der, key: fresh.key, chain: [ca.intermediate.der, ca.root.der] });
    const renewed = await renewArchiveTimestamp(lta, new TimestampAuthority(tsa.url));
    expect(renewed.subarray(0, lta.length).equals(lta)).toBe(true);
    expect(qpdfChecks(renewed)).toBe(true);

    const signatures = readSignatures(renewed);
    expect(signatures.map((s) => [s.kind, s.holds])).toEqual([
      ['seal', true],
      ['document-timestamp', true],
      ['document-timestamp', true],
    ]);
    for (const stamp of signatures.slice(1)) expect(opensslAccepts(stamp.cms, coveredBy(renewed, stamp))).toBe(true);
    expect(pdfSignatures(renewed).split('Signature #2')[0]).toContain('Signature Validation: Signature is Valid.');
    expect((await dssOf(renewed)).vri).toEqual(expect.arrayContaining([vriKey(signatures[0].cms), vriKey(signatures[1].cms)]));

    const after = archiveFacts(renewed, signatures);
    expect(after.level).toBe('B-LTA');
    expect(after.timestamps.map((t) => t.kind)).toEqual(['signature', 'document', 'document']);
    expect(after.verifiableUntil!.getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 86_400_000);
  });

  it('fetches the chain a timestamping authority does not send from the "CA Issuers" address its certificate names', async () => {
    const alone = ca.issueTsaCertificate(3650);
    tsa.useCertificate({ certificate: alone.der, key: alone.key, chain: [] });
    const lta = await extendToLta(await sealWith(), new TimestampAuthority(tsa.url));
    const [, stamp] = readSignatures(lta);
    expect(stamp).toMatchObject({ kind: 'document-timestamp', holds: true });
    expect(await dssOf(lta)).toMatchObject({ certs: 5, ocsps: 1, crls: 2 }); // the issuing CA and root, fetched
  });

  it('refuses to seal when the OCSP responder is down: an error, never a weaker seal', async () => {
    const sealed = await sealWith();
    await ca.stopOcsp();
    await expect(extendToLta(sealed, new TimestampAuthority(tsa.url), 3000)).rejects.toThrow(ValidationDataError);
    await expect(extendToLta(sealed, new TimestampAuthority(tsa.url), 3000)).rejects.toThrow(/OCSP responder .* unreachable/);
  });

  it('refuses to seal when the authority fails at the document timestamp', async () => {
    const sealed = await sealWith();
    tsa.behaviour = 'http-error';
    await expect(extendToLta(sealed, new TimestampAuthority(tsa.url))).rejects.toThrow(TimestampError);
  });

  it('refuses to seal with a revoked seal certificate', async () => {
    const sealed = await sealWith(ca.revokedSeal);
    await expect(extendToLta(sealed, new TimestampAuthority(tsa.url))).rejects.toThrow(/certificate revoked: .*renkei Revoked Seal/);
  });
});
