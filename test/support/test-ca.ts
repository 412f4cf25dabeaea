import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { SealCertificate, sealCertificateFromP12 } from '../../src/signing/seal-certificate';

/** A certificate the test CA issued, with its key. */
export interface IssuedCertificate {
  der: Buffer;
  pem: string;
  key: KeyObject;
  keyPem: string;
}

/**
 * A test PKI on loopback, made with openssl: a root, an intermediate that issues the seal's and the
 * timestamping authority's certificates, an OCSP responder (`openssl ocsp`) for the intermediate's
 * certificates, and CRLs (root's and intermediate's) served over HTTP. Nothing leaves the machine.
 */
export interface TestCa {
  dir: string;
  root: { der: Buffer; pem: string };
  intermediate: { der: Buffer; pem: string };
  /** The seal's certificate: OCSP (and a CRL) named in it. */
  seal: SealCertificate;
  /** The seal's PKCS#12 as a file (passphrase "test"), for SEAL_P12_PATH. */
  sealP12Path: string;
  /** A seal certificate the intermediate has revoked. */
  revokedSeal: SealCertificate;
  /** Issues a timestamping certificate (CRL named in it) valid for `days`. */
  issueTsaCertificate(days: number): IssuedCertificate;
  ocspUrl: string;
  crlRequests: number;
  ocspUp: boolean;
  /** Stops or starts the OCSP responder (the port stays the same). */
  stopOcsp(): Promise<void>;
  startOcsp(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the responder says it waits for clients (a probe connection would stall its one-at-a-time loop). */
function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('waiting for OCSP client connections')) resolve();
    });
    child.stdout!.resume();
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${said}`)));
  });
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function caConfig(dir: string, crlUrl: string, ocspUrl: string, issuerCrlUrl: string, issuerUrl: string): string {
  return `[ ca ]
default_ca = ca_default
[ ca_default ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/issued
certificate = ${dir}/cert.pem
private_key = ${dir}/key.pem
serial = ${dir}/serial
crlnumber = ${dir}/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ intermediate ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
crlDistributionPoints = URI:${issuerCrlUrl}
authorityInfoAccess = caIssuers;URI:${issuerUrl}
[ seal ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
authorityInfoAccess = OCSP;URI:${ocspUrl}
crlDistributionPoints = URI:${crlUrl}
[ tsa ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
crlDistributionPoints = URI:${crlUrl}
authorityInfoAccess = caIssuers;URI:${issuerUrl}
[ ocsp ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
`;
}

export async function startTestCa(): Promise<TestCa> {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-ca-'));
  // Each CA's CRL, made once when first asked for (every revocation happens before): as a CA publishes it.
  const crls = new Map<string, Buffer>();
  const crlServer: Server = createServer((req, res) => {
    const certificate = /^\/(root|intermediate)\.crt$/.exec(req.url ?? '')?.[1];
    if (certificate) {
      const der = Buffer.from(new X509Certificate(readFileSync(join(dir, certificate, 'cert.pem'))).raw);
      return void res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(der);
    }
    const name = /^\/(root|intermediate)\.crl$/.exec(req.url ?? '')?.[1];
    ca.crlRequests++;
    if (!name) return void res.writeHead(404).end();
    if (!crls.has(name)) {
      openssl(join(dir, name), 'ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem', '-batch');
      crls.set(name, openssl(join(dir, name), 'crl', '-in', 'crl.pem', '-outform', 'DER'));
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crls.get(name));
  });
  await new Promise<void>((resolve) => crlServer.listen(0, '127.0.0.1', resolve));
  const crlBase = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}`;
  const ocspPort = await freePort();
  const ocspUrl = `http://127.0.0.1:${ocspPort}/`;

  for (const name of ['root', 'intermediate']) {
    const ca = join(dir, name);
    mkdirSync(join(ca, 'issued'), { recursive: true });
    writeFileSync(join(ca, 'index.txt'), '');
    writeFileSync(join(ca, 'serial'), name === 'root' ? '1000\n' : '2000\n');
    writeFileSync(join(ca, 'crlnumber'), '01\n');
    writeFileSync(join(ca, 'ca.cnf'), caConfig(ca, `${crlBase}/${name}.crl`, ocspUrl, `${crlBase}/root.crl`, `${crlBase}/${name}.crt`));
    openssl(ca, 'genrsa', '-out', 'key.pem', '2048');
  }
  const root = join(dir, 'root');
  const intermediate = join(dir, 'intermediate');
  openssl(
    root,
    'req',
    '-x509',
    '-new',
    '-key',
    'key.pem',
    '-subj',
    '/CN=renkei Test Root CA/O=renkei-forms tests',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'cert.pem',
  );
  const issue = (caDir: string, name: string, subject: string, extensions: string, days: number): IssuedCertificate => {
    openssl(caDir, 'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    openssl(
      caDir,
      'ca',
      '-config',
      'ca.cnf',
      '-batch',
      '-notext',
      '-extensions',
      extensions,
      '-days',
      String(days),
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
    );
    const pem = readFileSync(join(caDir, `${name}.pem`), 'utf8');
    const keyPem = readFileSync(join(caDir, `${name}.key`), 'utf8');
    return { der: Buffer.from(new X509Certificate(pem).raw), pem, key: createPrivateKey(keyPem), keyPem };
  };
  const intermediateCert = issue(root, 'intermediate', '/CN=renkei Test Issuing CA/O=renkei-forms tests', 'intermediate', 1825);
  writeFileSync(join(intermediate, 'cert.pem'), intermediateCert.pem);
  writeFileSync(join(intermediate, 'key.pem'), intermediateCert.keyPem);
  issue(intermediate, 'responder', '/CN=renkei Test OCSP Responder/O=renkei-forms tests', 'ocsp', 365);
  const rootPem = readFileSync(join(root, 'cert.pem'), 'utf8');
  const p12 = (leaf: IssuedCertificate) => {
    const certs = [leaf.pem, intermediateCert.pem, rootPem].map((pem) => forge.pki.certificateFromPem(pem));
    const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(leaf.keyPem), certs, 'test', { algorithm: '3des' });
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  };
  const sealP12 = p12(issue(intermediate, 'seal', '/CN=renkei Test Seal/O=renkei-forms tests', 'seal', 825));
  writeFileSync(join(dir, 'seal.p12'), sealP12, { mode: 0o600 });
  const revoked = issue(intermediate, 'revoked', '/CN=renkei Revoked Seal/O=renkei-forms tests', 'seal', 825);
  openssl(intermediate, 'ca', '-config', 'ca.cnf', '-revoke', 'revoked.pem', '-crl_reason', 'keyCompromise', '-batch');

  let responderProcess: ChildProcess | null = null;
  const ca: TestCa = {
    dir,
    root: { der: Buffer.from(new X509Certificate(rootPem).raw), pem: rootPem },
    intermediate: { der: intermediateCert.der, pem: intermediateCert.pem },
    seal: sealCertificateFromP12(sealP12, 'test'),
    sealP12Path: join(dir, 'seal.p12'),
    revokedSeal: sealCertificateFromP12(p12(revoked), 'test'),
    issueTsaCertificate: (days) => issue(intermediate, `tsa-${Date.now()}`, '/CN=renkei Test TSA/O=renkei-forms tests', 'tsa', days),
    ocspUrl,
    crlRequests: 0,
    ocspUp: false,
    async startOcsp() {
      if (responderProcess) return;
      const child = spawn(
        'openssl',
        [
          'ocsp',
          '-index',
          'index.txt',
          '-port',
          String(ocspPort),
          '-CA',
          'cert.pem',
          '-rsigner',
          'responder.pem',
          '-rkey',
          'responder.key',
          '-nmin',
          '10',
          '-ignore_err',
        ],
        { cwd: intermediate, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      responderProcess = child;
      await listening(child);
      ca.ocspUp = true;
    },
    async stopOcsp() {
      const child = responderProcess;
      if (!child) return;
      responderProcess = null;
      ca.ocspUp = false;
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
    },
    async close() {
      await ca.stopOcsp();
      await new Promise<void>((resolve) => crlServer.close(() => resolve()));
    },
  };
  await ca.startOcsp();
  return ca;
}
