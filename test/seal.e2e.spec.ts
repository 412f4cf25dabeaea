import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { readSignature } from '../src/signing/cms';
import { pdfSignature, sealPdf, sealTimestamp } from '../src/signing/pdf-sealer';
import { generateDevCertificate, sealCertificateFromP12 } from '../src/signing/seal-certificate';
import { TimestampAuthority, TimestampError } from '../src/signing/timestamp-authority';
import { pdfSignatures } from './support/pdf-tools';
import { TestTsa, startTsa } from './support/tsa';

describe('the seal: its signature dictionary and RFC 3161 timestamps', () => {
  let tsa: TestTsa;
  const certificate = sealCertificateFromP12(generateDevCertificate('test'), 'test');
  const info = { reason: 'test', location: 'rurume', contactInfo: 'http://localhost', signingTime: new Date() };
  let pdf: Buffer;

  beforeAll(async () => {
    tsa = await startTsa();
    const document = await PDFDocument.create();
    document.addPage().drawText('consent', { font: await document.embedFont(StandardFonts.Helvetica) });
    pdf = Buffer.from(await document.save());
  });
  afterAll(() => tsa?.close());
  beforeEach(() => {
    tsa.behaviour = 'grant';
  });

  it('timestamps the seal so that pdfsig accepts the signature and openssl accepts the timestamp', async () => {
    const before = Date.now();
    const sealed = await sealPdf(pdf, certificate, info, new TimestampAuthority(tsa.url));
    const report = pdfSignatures(sealed);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('ETSI.CAdES.detached');

    const stamp = sealTimestamp(sealed);
    expect(stamp?.authority).toBe('Test Timestamping Authority (renkei-forms tests)');
    expect(stamp!.time.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(stamp!.time.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    // OpenSSL, independently: the token is signed by the authority under its root and covers the seal's signature value.
    const { signatureValue, timestampToken } = readSignature(pdfSignature(sealed)!);
    const dir = mkdtempSync(join(tmpdir(), 'renkei-tsa-'));
    writeFileSync(join(dir, 'token.der'), timestampToken!);
    writeFileSync(join(dir, 'signature.bin'), signatureValue);
    writeFileSync(join(dir, 'root.pem'), tsa.rootPem);
    const verify = (data: string) =>
      spawnSync(
        'openssl',
        ['ts', '-verify', '-token_in', '-in', join(dir, 'token.der'), '-data', join(dir, data), '-CAfile', join(dir, 'root.pem')],
        { encoding: 'utf8' },
      );
    const ok = verify('signature.bin');
    expect(ok.stdout + ok.stderr).toContain('Verification: OK');
    writeFileSync(join(dir, 'other.bin'), Buffer.concat([signatureValue, Buffer.from([0])]));
    expect(verify('other.bin').stdout).not.toContain('Verification: OK');
  });

  it('writes reason, location and signer name in any script, parentheses and backslashes included', async () => {
    const sealed = await sealPdf(
      pdf,
      { ...certificate, name: '医療法人 (テスト) 封緘' },
      { ...info, reason: '患者同意書（書類番号 RRM-000001）の署名を封緘 (a\\b)', location: 'るるめネット' },
    );
    expect(pdfSignatures(sealed)).toContain('Signature Validation: Signature is Valid.');
    const dir = mkdtempSync(join(tmpdir(), 'renkei-seal-'));
    writeFileSync(join(dir, 'sealed.pdf'), sealed);
    const json = spawnSync('qpdf', ['--json', '--json-key=qpdf', join(dir, 'sealed.pdf')], { encoding: 'utf8' }).stdout;
    expect(json).toContain('"/Reason": "u:患者同意書（書類番号 RRM-000001）の署名を封緘 (a\\\\b)"');
    expect(json).toContain('"/Location": "u:るるめネット"');
    expect(json).toContain('"/Name": "u:医療法人 (テスト) 封緘"');
  });

  it('seals without a timestamp when no authority is configured', async () => {
    const sealed = await sealPdf(pdf, certificate, info);
    expect(pdfSignatures(sealed)).toContain('Signature Validation: Signature is Valid.');
    expect(sealTimestamp(sealed)).toBeNull();
    expect(tsa.requests).toBe(1); // only the first test's
  });

  it.each([
    ['http-error', /answered HTTP 503/],
    ['reject', /refused: rejection \(policy not accepted\)/],
    ['wrong-imprint', /covers a different hash/],
    ['wrong-nonce', /nonce differs/],
    ['forged', /signature does not verify/],
  ] as const)('refuses to seal when the authority misbehaves: %s', async (behaviour, message) => {
    tsa.behaviour = behaviour;
    const sealing = sealPdf(pdf, certificate, info, new TimestampAuthority(tsa.url));
    await expect(sealing).rejects.toThrow(TimestampError);
    await expect(sealing).rejects.toThrow(message);
  });

  it('refuses to seal when the authority cannot be reached', async () => {
    const closed = await startTsa();
    await closed.close();
    await expect(sealPdf(pdf, certificate, info, new TimestampAuthority(closed.url, 2000))).rejects.toThrow(/unreachable/);
  });
});
