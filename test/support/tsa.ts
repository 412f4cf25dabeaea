import { KeyObject, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { OID, issuerAndSerial, sha256 } from '../../src/signing/cms';
import {
  TAG,
  algorithm,
  children,
  explicit,
  generalizedTime,
  integer,
  octetString,
  oid,
  readDer,
  sequence,
  set,
  tlv,
} from '../../src/signing/der';

/** What the test's authority does with the next requests. */
export type TsaBehaviour = 'grant' | 'http-error' | 'reject' | 'wrong-imprint' | 'wrong-nonce' | 'forged';

export interface TestTsa {
  url: string;
  /** The authority's root certificate (PEM), for `openssl ts -verify -CAfile`. */
  rootPem: string;
  requests: number;
  behaviour: TsaBehaviour;
  /** Signs from now on with this certificate (e.g. one from the test CA, or one about to expire). */
  useCertificate(issued: TsaSigner): void;
  close(): Promise<void>;
}

/** A timestamping certificate, its key, and the chain above it (sent in each token). */
export interface TsaSigner {
  certificate: Buffer;
  key: KeyObject;
  chain: Buffer[];
}

function certificate(
  subject: string,
  issuer: { name: string; key: forge.pki.rsa.PrivateKey } | null,
  keys: forge.pki.rsa.KeyPair,
  extensions: object[],
) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([
    { name: 'commonName', value: subject },
    { name: 'organizationName', value: 'renkei-forms tests' },
  ]);
  cert.setIssuer([
    { name: 'commonName', value: issuer?.name ?? subject },
    { name: 'organizationName', value: 'renkei-forms tests' },
  ]);
  cert.setExtensions(extensions);
  cert.sign(issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

/**
 * An RFC 3161 timestamping authority on loopback, with its own root CA, so that tests exercise the real
 * HTTP exchange and `openssl ts -verify` can check what it issued. It can also misbehave on purpose.
 */
export async function startTsa(issued?: TsaSigner): Promise<TestTsa> {
  const rootKeys = forge.pki.rsa.generateKeyPair(2048);
  const tsaKeys = forge.pki.rsa.generateKeyPair(2048);
  const rootDer = certificate('Test Root CA', null, rootKeys, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const tsaDer = certificate('Test Timestamping Authority', { name: 'Test Root CA', key: rootKeys.privateKey }, tsaKeys, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', timeStamping: true, critical: true },
  ]);
  let signer: TsaSigner = issued ?? {
    certificate: tsaDer,
    key: createPrivateKey(forge.pki.privateKeyToPem(tsaKeys.privateKey)),
    chain: [rootDer],
  };
  const forgeryKey = createPrivateKey(forge.pki.privateKeyToPem(forge.pki.rsa.generateKeyPair(1024).privateKey));

  const token = (query: Buffer, behaviour: TsaBehaviour) => {
    const fields = children(readDer(query));
    let imprint = fields[1].bytes;
    let nonce = fields.slice(2).find((f) => f.tag === TAG.integer)?.bytes;
    if (behaviour === 'wrong-imprint') imprint = sequence(algorithm(OID.sha256), octetString(sha256(randomBytes(8))));
    if (behaviour === 'wrong-nonce') nonce = integer(randomBytes(8));
    const tstInfo = sequence(
      integer(1),
      oid('1.3.6.1.4.1.99999.1.1'),
      imprint,
      integer(randomBytes(8)),
      generalizedTime(new Date()),
      sequence(integer(1)),
      ...(nonce ? [nonce] : []),
    );
    const signed = set(
      sequence(oid(OID.contentType), set(oid(OID.tstInfo))),
      sequence(oid(OID.messageDigest), set(octetString(sha256(tstInfo)))),
      sequence(oid(OID.signingCertificateV2), set(sequence(sequence(sequence(octetString(sha256(signer.certificate))))))),
    );
    const { issuer, serial } = issuerAndSerial(signer.certificate);
    const signerInfo = sequence(
      integer(1),
      sequence(issuer, serial),
      algorithm(OID.sha256),
      tlv(TAG.context(0), readDer(signed).content),
      algorithm(OID.sha256WithRsa, true),
      octetString(sign('sha256', signed, behaviour === 'forged' ? forgeryKey : signer.key)),
    );
    const signedData = sequence(
      integer(3),
      set(algorithm(OID.sha256)),
      sequence(oid(OID.tstInfo), explicit(0, octetString(tstInfo))),
      tlv(TAG.context(0), signer.certificate, ...signer.chain),
      set(signerInfo),
    );
    return sequence(oid(OID.signedData), explicit(0, signedData));
  };

  const tsa: TestTsa = {
    url: '',
    rootPem: `-----BEGIN CERTIFICATE-----\n${rootDer.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`,
    requests: 0,
    behaviour: 'grant',
    useCertificate: (next) => {
      signer = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      tsa.requests++;
      if (tsa.behaviour === 'http-error' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(503).end('unavailable');
        return;
      }
      const answer =
        tsa.behaviour === 'reject'
          ? sequence(sequence(integer(2), sequence(tlv(TAG.utf8String, Buffer.from('policy not accepted')))))
          : sequence(sequence(integer(0)), token(Buffer.concat(chunks), tsa.behaviour));
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  return tsa;
}
