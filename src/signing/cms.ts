import { KeyObject, X509Certificate, constants, createHash, sign, verify } from 'node:crypto';
import {
  DerError,
  DerNode,
  TAG,
  algorithm,
  children,
  expectTag,
  explicit,
  integer,
  octetString,
  oid,
  readDer,
  readGeneralizedTime,
  readOid,
  sequence,
  set,
  tlv,
} from './der';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

const attribute = (type: string, ...values: Buffer[]) => sequence(oid(type), set(...values));

/** The issuer Name and serialNumber of a DER certificate, as their own encodings. */
export function issuerAndSerial(certificate: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = children(expectTag(children(readDer(certificate))[0], TAG.sequence, 'a TBSCertificate'));
  const fields = tbs[0].tag === TAG.context(0) ? tbs.slice(1) : tbs; // skip the [0] version
  return {
    serial: expectTag(fields[0], TAG.integer, 'a serial number').bytes,
    issuer: expectTag(fields[2], TAG.sequence, 'an issuer').bytes,
  };
}

export interface CmsSigner {
  privateKey: KeyObject;
  /** DER, the signing certificate first. */
  certificates: Buffer[];
}

/**
 * A detached CMS signature over `content` for PAdES (ETSI.CAdES.detached): signed attributes content-type,
 * message-digest and ESS signing-certificate-v2, no signing-time (the PDF's /M carries it). Returns the
 * signature value, which a timestamp must cover, and a function that assembles the SignedData with any
 * unsigned attributes.
 */
export function signDetached(
  content: Buffer,
  signer: CmsSigner,
): { signatureValue: Buffer; assemble: (unsignedAttributes?: Buffer[]) => Buffer } {
  const [certificate] = signer.certificates;
  const { issuer, serial } = issuerAndSerial(certificate);
  const signedAttributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(sha256(content))),
    // SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash (sha256 by default), issuerSerial } ] }
    attribute(
      OID.signingCertificateV2,
      sequence(sequence(sequence(octetString(sha256(certificate)), sequence(sequence(explicit(4, issuer)), serial)))),
    ),
  ];
  const signedSet = set(...signedAttributes);
  const isRsa = signer.privateKey.asymmetricKeyType === 'rsa';
  const signatureValue = sign('sha256', signedSet, signer.privateKey);
  const assemble = (unsignedAttributes: Buffer[] = []) => {
    const signerInfo = sequence(
      integer(1),
      sequence(issuer, serial),
      algorithm(OID.sha256),
      tlv(TAG.context(0), readDer(signedSet).content), // [0] IMPLICIT SET OF
      isRsa ? algorithm(OID.sha256WithRsa, true) : algorithm(OID.ecdsaWithSha256),
      octetString(signatureValue),
      ...(unsignedAttributes.length ? [tlv(TAG.context(1), readDer(set(...unsignedAttributes)).content)] : []),
    );
    const signedData = sequence(
      integer(1),
      set(algorithm(OID.sha256)),
      sequence(oid(OID.data)),
      tlv(TAG.context(0), ...signer.certificates),
      set(signerInfo),
    );
    return sequence(oid(OID.signedData), explicit(0, signedData));
  };
  return { signatureValue, assemble };
}

export const timestampAttribute = (token: Buffer) => attribute(OID.timeStampToken, token);

/** What an RFC 3161 timestamp token says, once its signature has been checked. */
export interface TimestampInfo {
  time: Date;
  hashAlgorithm: string;
  messageImprint: Buffer;
  nonce: Buffer | null;
  /** Who issued it, from its certificate: "common name (organization)". */
  authority: string;
  /** The authority's certificate (DER) that signed it, and every certificate the token carries. */
  certificate: Buffer;
  certificates: Buffer[];
  /** When that certificate expires: past it, the token can be checked only with validation data kept from before. */
  validUntil: Date;
}

/** SignedData's parts: encapsulated content type and content, certificates, signer infos. */
function signedDataParts(contentInfo: DerNode) {
  const [type, wrapped] = children(expectTag(contentInfo, TAG.sequence, 'a ContentInfo'));
  if (readOid(type) !== OID.signedData) throw new DerError('not a CMS SignedData');
  const fields = children(expectTag(children(expectTag(wrapped, TAG.context(0), 'SignedData content'))[0], TAG.sequence, 'a SignedData'));
  const [eType, eContent] = children(expectTag(fields[2], TAG.sequence, 'an EncapsulatedContentInfo'));
  const certificates = fields.find((f) => f.tag === TAG.context(0));
  const signerInfos = expectTag(fields[fields.length - 1], TAG.set, 'SignerInfos');
  return {
    contentType: readOid(eType),
    content: eContent ? expectTag(children(eContent)[0], TAG.octetString, 'encapsulated content').content : null,
    certificates: certificates ? children(certificates).map((c) => c.bytes) : [],
    signerInfos: children(signerInfos),
  };
}

/** A SignerInfo's parts; signedAttributes is the SET OF encoding that was signed. */
function signerInfoParts(signerInfo: DerNode) {
  const fields = children(expectTag(signerInfo, TAG.sequence, 'a SignerInfo'));
  const signed = fields.find((f) => f.tag === TAG.context(0));
  const unsigned = fields.find((f) => f.tag === TAG.context(1));
  const rest = fields.filter((f) => f.tag === TAG.sequence || f.tag === TAG.octetString);
  // rest: [sid if issuerAndSerialNumber,] digestAlgorithm, signatureAlgorithm, signature
  const [digestAlgorithm, signatureAlgorithm] = rest.slice(-3, -1).map((a) => children(a));
  return {
    digestAlgorithm: readOid(digestAlgorithm[0]),
    signatureAlgorithm: readOid(signatureAlgorithm[0]),
    signature: expectTag(rest[rest.length - 1], TAG.octetString, 'a signature').content,
    signedAttributes: signed ? tlv(TAG.set, signed.content) : null,
    attributes: (node: DerNode | undefined) =>
      new Map(
        (node ? children(node) : []).map((a) => {
          const [type, values] = children(a);
          return [readOid(type), children(values)] as const;
        }),
      ),
    signed,
    unsigned,
  };
}

function hashName(oidValue: string): string {
  const name = HASHES[oidValue];
  if (!name) throw new DerError(`unsupported hash algorithm ${oidValue}`);
  return name;
}

function verifySignature(hash: string, data: Buffer, signature: Buffer, certificate: X509Certificate, algorithmOid: string): boolean {
  if (algorithmOid === OID.rsaPss) {
    return verify(
      hash,
      data,
      { key: certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      signature,
    );
  }
  return verify(hash, data, certificate.publicKey, signature);
}

function authorityName(certificate: X509Certificate): string {
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(certificate.subject)?.[1];
  const [cn, o] = [field('CN'), field('O')];
  return cn ? (o && o !== cn ? `${cn} (${o})` : cn) : certificate.subject.replace(/\n/g, ', ');
}

/**
 * Reads an RFC 3161 TimeStampToken and checks its signature against the certificate it carries, which
 * must be a timestamping certificate. Whether that authority is trusted is the reader's call (PDF readers
 * check it against their trust list); this proves the token is whole and says what it says.
 */
export function readTimestampToken(token: Buffer): TimestampInfo {
  const parts = signedDataParts(readDer(token));
  if (parts.contentType !== OID.tstInfo || !parts.content) throw new DerError('the token holds no TSTInfo');
  const info = children(expectTag(readDer(parts.content), TAG.sequence, 'a TSTInfo'));
  const [imprintAlgorithm, imprint] = children(expectTag(info[2], TAG.sequence, 'a MessageImprint'));
  const nonce = info.slice(5).find((f) => f.tag === TAG.integer);

  const [signerInfo] = parts.signerInfos;
  if (!signerInfo) throw new DerError('the token has no signer');
  const signer = signerInfoParts(signerInfo);
  if (!signer.signedAttributes) throw new DerError('the token has no signed attributes');
  const hash = hashName(signer.digestAlgorithm);
  const signedAttributes = signer.attributes(signer.signed);
  const digest = signedAttributes.get(OID.messageDigest)?.[0];
  if (!digest || !expectTag(digest, TAG.octetString, 'a message digest').content.equals(createHash(hash).update(parts.content).digest())) {
    throw new DerError('the token’s message digest does not match its TSTInfo');
  }
  const signerDer = parts.certificates.find((c) =>
    verifySignature(hash, signer.signedAttributes!, signer.signature, new X509Certificate(c), signer.signatureAlgorithm),
  );
  const certificate = signerDer ? new X509Certificate(signerDer) : null;
  if (!signerDer || !certificate) throw new DerError('the token’s signature does not verify against any certificate it carries');
  if (!(certificate.keyUsage ?? []).includes(OID.timeStamping))
    throw new DerError('the token was not signed by a timestamping certificate');
  return {
    time: readGeneralizedTime(info[4]),
    hashAlgorithm: hashName(readOid(children(imprintAlgorithm)[0])),
    messageImprint: expectTag(imprint, TAG.octetString, 'a hashed message').content,
    nonce: nonce ? nonce.content : null,
    authority: authorityName(certificate),
    certificate: signerDer,
    certificates: parts.certificates,
    validUntil: new Date(certificate.validTo),
  };
}

/** The certificates (DER) a CMS SignedData carries. */
export function cmsCertificates(cms: Buffer): Buffer[] {
  return signedDataParts(readDer(cms)).certificates;
}

/** The first signer's signature value and RFC 3161 timestamp token (if any) in a CMS SignedData. */
export function readSignature(cms: Buffer): { signatureValue: Buffer; timestampToken: Buffer | null } {
  const [signerInfo] = signedDataParts(readDer(cms)).signerInfos;
  if (!signerInfo) throw new DerError('the signature has no signer');
  const signer = signerInfoParts(signerInfo);
  const token = signer.attributes(signer.unsigned).get(OID.timeStampToken)?.[0];
  return { signatureValue: signer.signature, timestampToken: token ? token.bytes : null };
}

/**
 * The certificate (DER) whose key made this CMS signature over its signed attributes, if one it carries did;
 * and whether its message digest is that of `content`. Any parse error: null.
 */
export function cmsSigner(cms: Buffer, content: Buffer): { certificate: Buffer; digestMatches: boolean } | null {
  try {
    const parts = signedDataParts(readDer(cms));
    const [signerInfo] = parts.signerInfos;
    if (!signerInfo || parts.signerInfos.length !== 1) return null;
    const signer = signerInfoParts(signerInfo);
    if (!signer.signedAttributes) return null;
    const hash = hashName(signer.digestAlgorithm);
    const certificate = parts.certificates.find((c) =>
      verifySignature(hash, signer.signedAttributes!, signer.signature, new X509Certificate(c), signer.signatureAlgorithm),
    );
    if (!certificate) return null;
    const digest = signer.attributes(signer.signed).get(OID.messageDigest)?.[0];
    const expected = createHash(hash).update(content).digest();
    const digestMatches = !!digest && expectTag(digest, TAG.octetString, 'a message digest').content.equals(expected);
    return { certificate, digestMatches };
  } catch {
    return null;
  }
}
