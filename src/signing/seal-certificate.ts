import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import forge from 'node-forge';

export interface SealCertificate {
  p12: Buffer;
  passphrase: string;
  /** Subject common name, shown as the signer in PDF readers. */
  name: string;
}

/** A self-signed certificate for development, made once and kept (the key never leaves this machine). */
export function generateDevCertificate(passphrase: string): Buffer {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const subject = [
    { name: 'commonName', value: 'renkei-forms development seal' },
    { name: 'organizationName', value: 'renkei-forms (development, not trusted)' },
    { name: 'countryName', value: 'JP' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
    { name: 'extKeyUsage', emailProtection: true },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], passphrase, { algorithm: '3des', friendlyName: 'renkei-forms seal' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * The sealing certificate: the configured PKCS#12, or (outside production) a development one created
 * on first use at `devPath`.
 */
export function loadSealCertificate(options: { p12Path: string | null; passphrase: string; devPath: string; production: boolean }): SealCertificate {
  let p12: Buffer;
  if (options.p12Path) {
    p12 = readFileSync(options.p12Path);
  } else {
    if (options.production) throw new Error('SEAL_P12_PATH is required in production');
    if (!existsSync(options.devPath)) {
      mkdirSync(dirname(options.devPath), { recursive: true });
      const temporary = `${options.devPath}.${process.pid}.tmp`;
      writeFileSync(temporary, generateDevCertificate(options.passphrase), { mode: 0o600 });
      renameSync(temporary, options.devPath);
    }
    p12 = readFileSync(options.devPath);
  }
  return { p12, passphrase: options.passphrase, name: certificateName(p12, options.passphrase) };
}

function certificateName(p12: Buffer, passphrase: string): string {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), passphrase);
  const bags = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const cn = bags[0]?.cert?.subject.getField('CN')?.value;
  return typeof cn === 'string' ? cn : 'renkei-forms';
}
