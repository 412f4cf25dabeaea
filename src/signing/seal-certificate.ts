import { KeyObject, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import forge from 'node-forge';

export interface SealCertificate {
  privateKey: KeyObject;
  /** DER: the sealing certificate first, then any chain the PKCS#12 holds. */
  certificates: Buffer[];
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
export function loadSealCertificate(options: {
  p12Path: string | null;
  passphrase: string;
  devPath: string;
  production: boolean;
}): SealCertificate {
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
  return sealCertificateFromP12(p12, options.passphrase);
}

/** Opens a PKCS#12 once: its RSA key, the certificate that matches it, and the rest as its chain. */
export function sealCertificateFromP12(p12: Buffer, passphrase: string): SealCertificate {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), false, passphrase);
  const keyBag = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ][0];
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error('the sealing PKCS#12 holds no private key');
  const certificates = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((bag) => bag.cert!)
    .filter(Boolean);
  const own = certificates.find((c) => {
    const publicKey = c.publicKey as forge.pki.rsa.PublicKey;
    return publicKey.n.equals(key.n) && publicKey.e.equals(key.e);
  });
  if (!own) throw new Error('the sealing PKCS#12 holds no certificate for its private key');
  const toDer = (c: forge.pki.Certificate) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary');
  const cn = own.subject.getField('CN')?.value;
  return {
    privateKey: createPrivateKey(forge.pki.privateKeyToPem(key)),
    certificates: [own, ...certificates.filter((c) => c !== own)].map(toDer),
    name: typeof cn === 'string' ? cn : 'renkei-forms',
  };
}
