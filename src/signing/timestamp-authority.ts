import { randomBytes } from 'node:crypto';
import { OID, TimestampInfo, readTimestampToken, sha256 } from './cms';
import { TAG, algorithm, boolean, children, expectTag, integer, octetString, readDer, sequence } from './der';

/** The timestamping authority could not give a timestamp we can rely on; sealing must not go on. */
export class TimestampError extends Error {}

const STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];

/**
 * An RFC 3161 timestamping authority reached over HTTP. Every answer is checked: the token must be
 * granted, signed by a timestamping certificate, and cover exactly the hash and nonce we sent.
 */
export class TimestampAuthority {
  private readonly endpoint: string;
  private readonly authorization: string | null;

  constructor(
    url: string,
    private readonly timeoutMs = 15_000,
  ) {
    // fetch() refuses URLs with credentials; an authority that needs Basic auth gets them as a header.
    const parsed = new URL(url);
    this.authorization = parsed.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
      : null;
    parsed.username = '';
    parsed.password = '';
    this.endpoint = parsed.toString();
  }

  /** A timestamp token over sha256(data), with what it says. */
  async stamp(data: Buffer): Promise<{ token: Buffer; info: TimestampInfo }> {
    const imprint = sha256(data);
    const nonce = randomBytes(8);
    nonce[0] = (nonce[0] & 0x7f) | 0x40; // positive, and no leading zero byte to trim
    const query = sequence(integer(1), sequence(algorithm(OID.sha256), octetString(imprint)), integer(nonce), boolean(true));

    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', ...(this.authorization ? { authorization: this.authorization } : {}) },
        body: query,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TimestampError(`timestamping authority ${this.endpoint} unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) throw new TimestampError(`timestamping authority ${this.endpoint} answered HTTP ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());

    try {
      const [statusInfo, token] = children(expectTag(readDer(body), TAG.sequence, 'a TimeStampResp'));
      const [status, ...details] = children(expectTag(statusInfo, TAG.sequence, 'a PKIStatusInfo'));
      const code = expectTag(status, TAG.integer, 'a PKIStatus').content.readUIntBE(0, status.content.length);
      if (code > 1) {
        const text = details.filter((d) => d.tag === TAG.sequence).flatMap((d) => children(d).map((s) => s.content.toString('utf8')));
        throw new TimestampError(`timestamping authority refused: ${STATUS[code] ?? code}${text.length ? ` (${text.join('; ')})` : ''}`);
      }
      if (!token) throw new TimestampError('timestamping authority granted no token');
      const info = readTimestampToken(token.bytes);
      if (info.hashAlgorithm !== 'sha256' || !info.messageImprint.equals(imprint))
        throw new TimestampError('the timestamp covers a different hash than the one sent');
      if (!info.nonce?.equals(nonce)) throw new TimestampError('the timestamp does not answer our request (nonce differs)');
      return { token: token.bytes, info };
    } catch (error) {
      if (error instanceof TimestampError) throw error;
      throw new TimestampError(`unusable answer from the timestamping authority: ${(error as Error).message}`);
    }
  }
}
