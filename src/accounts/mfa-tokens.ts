import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/hash';
import { LoginStateRepository } from './login-state.repository';

/** Wrong codes (or passkey answers) one mfaToken allows; the last one ends it. */
export const MFA_TOKEN_TRIES = 5;
/** Time to open the app or touch the key after the password was accepted. */
export const MFA_TOKEN_SECONDS = 5 * 60;

export interface ReservedTry {
  userId: string;
  /** This try's number, 1 to MFA_TOKEN_TRIES. */
  tries: number;
  /** The passkey challenge issued for this token, if any. */
  challenge: string | null;
}

/**
 * The proof that a password was right, waiting for the second factor: a random token given to the client,
 * kept in PostgreSQL only as its sha256 (so log-in works while Redis is down), good for MFA_TOKEN_SECONDS
 * and MFA_TOKEN_TRIES tries, used once. It is not a session: nothing but the second step accepts it.
 */
@Injectable()
export class MfaTokens {
  constructor(private readonly repository: LoginStateRepository) {}

  async issue(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.repository.insertMfaToken(sha256Hex(token), userId, MFA_TOKEN_SECONDS);
    return token;
  }

  /** Whose token this is, without taking a try (to offer that user's passkeys); null if it is not valid. */
  userOf(token: string): Promise<string | null> {
    return this.repository.mfaTokenUser(sha256Hex(token));
  }

  /** Keeps a passkey challenge with the token; false if the token is gone (never recreates it). */
  setChallenge(token: string, challenge: string): Promise<boolean> {
    return this.repository.setMfaChallenge(sha256Hex(token), challenge);
  }

  /** Takes one try; null if the token cannot be used (unknown, expired, ended or out of tries). */
  reserve(token: string): Promise<ReservedTry | null> {
    return this.repository.reserveMfaTry(sha256Hex(token), MFA_TOKEN_TRIES);
  }

  /** Ends the token; true only for the one caller that ended it (a token logs in once). */
  consume(token: string): Promise<boolean> {
    return this.repository.deleteMfaToken(sha256Hex(token));
  }
}
