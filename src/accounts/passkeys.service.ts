import { Injectable } from '@nestjs/common';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import { isUUID } from 'class-validator';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { AccountsRepository } from './accounts.repository';
import { PasskeySummary } from './accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { FactorNotices } from './factor-notices';
import { MfaService, TOTP_ISSUER } from './mfa.service';
import { RelyingParty } from './site';
import { UsersRepository } from './users.repository';
import { Transactions } from '../common/database/transactions';

const CHALLENGE_SECONDS = 5 * 60;
export const MAX_PASSKEYS = 10;

function refused(message: string): DomainError {
  return new DomainError('INVALID_REQUEST', message, { errors: [{ path: 'response', label: 'パスキー', message }] });
}

/**
 * Passkeys (WebAuthn) as a second factor, through @simplewebauthn/server. User presence is required;
 * user verification (the device's PIN or fingerprint) is asked for where the device can, not required,
 * since the password is already the first factor.
 */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly repository: AccountsRepository,
    private readonly users: UsersRepository,
    private readonly mfa: MfaService,
    private readonly audit: AuditService,
    private readonly notices: FactorNotices,
    private readonly transactions: Transactions,
  ) {}

  async registrationOptions(user: CurrentUser, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.repository.passkeysOf(user.id);
    if (existing.length >= MAX_PASSKEYS) throw new DomainError('INVALID_STATE', `パスキーは${MAX_PASSKEYS}個まで登録できます`);
    const { generateRegistrationOptions } = await webauthn();
    const options = await generateRegistrationOptions({
      rpName: TOTP_ISSUER,
      rpID: rp.id,
      userName: user.email,
      userDisplayName: user.name,
      userID: new Uint8Array(Buffer.from(user.id)),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    await this.repository.putEnrolment(user.id, 'passkey', options.challenge, CHALLENGE_SECONDS);
    return options;
  }

  /** Verifies the browser's answer and keeps the passkey; the user's first factor also gets recovery codes. */
  async register(
    user: CurrentUser,
    response: RegistrationResponseJSON,
    name: string | undefined,
    rp: RelyingParty,
    origin: RequestOrigin,
  ): Promise<{ passkey: PasskeySummary; recoveryCodes: string[] | null }> {
    const challenge = await this.repository.takeEnrolment(user.id, 'passkey');
    if (!challenge) throw refused('登録の有効期限が切れました。もう一度お試しください');
    const { verifyRegistrationResponse } = await webauthn();
    let verified: VerifiedRegistrationResponse;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: false,
      });
    } catch {
      throw refused('パスキーを確認できませんでした。もう一度お試しください');
    }
    if (!verified.verified) throw refused('パスキーを確認できませんでした。もう一度お試しください');
    const { credential } = verified.registrationInfo;
    const [added, mail] = await this.transactions.run(async (tx) => {
      if (await this.repository.credentialTaken(tx, credential.id)) throw refused('このパスキーは登録済みです');
      const count = (await this.repository.passkeysOf(user.id, tx)).length;
      const saved = await this.repository.insertPasskey(tx, {
        userId: user.id,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        name: name?.trim() || `パスキー ${count + 1}`,
        lastUsedAt: null,
      });
      await this.users.update(tx, user.id, { mfaEnabled: true });
      const recoveryCodes = await this.mfa.recoveryCodesIfNone(tx, user.id);
      await this.audit.record(
        { action: 'mfa_passkey_added', actor: user, origin, target: { type: 'user', id: user.id }, detail: { passkey: saved.name } },
        tx,
      );
      const passkey = { id: saved.id, name: saved.name, createdAt: saved.createdAt, lastUsedAt: null };
      return [{ passkey, recoveryCodes }, await this.notices.changed(tx, user, 'passkey_added')] as const;
    });
    await this.notices.send([mail]);
    return added;
  }

  async remove(user: CurrentUser, id: string, origin: RequestOrigin): Promise<void> {
    const mail = await this.transactions.run(async (tx) => {
      const passkey = isUUID(id) ? await this.repository.passkeyOf(user.id, { id }, tx) : null;
      if (!passkey) throw new DomainError('NOT_FOUND', 'パスキーが見つかりません');
      await this.repository.deletePasskeys(tx, user.id, id);
      await this.mfa.afterFactorRemoved(tx, user);
      await this.audit.record(
        { action: 'mfa_passkey_removed', actor: user, origin, target: { type: 'user', id: user.id }, detail: { passkey: passkey.name } },
        tx,
      );
      return this.notices.changed(tx, user, 'passkey_removed');
    });
    await this.notices.send([mail]);
  }

  /** Whether the user has a passkey to log in with. */
  async has(userId: string): Promise<boolean> {
    return this.repository.hasPasskey(userId);
  }

  /** The challenge for a log-in's second step, offering only this user's passkeys. */
  async authenticationOptions(userId: string, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const passkeys = await this.repository.passkeysOf(userId);
    if (passkeys.length === 0) throw new DomainError('INVALID_STATE', 'パスキーが登録されていません。確認コードを入力してください');
    const { generateAuthenticationOptions } = await webauthn();
    return generateAuthenticationOptions({
      rpID: rp.id,
      allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
      userVerification: 'preferred',
    });
  }

  /** Whether the browser's answer is a signature over this challenge by one of the user's passkeys. */
  async verify(userId: string, response: AuthenticationResponseJSON, challenge: string, rp: RelyingParty): Promise<boolean> {
    const passkey = await this.repository.passkeyOf(userId, { credentialId: String(response?.id ?? '') });
    if (!passkey) return false;
    try {
      const { verifyAuthenticationResponse } = await webauthn();
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: false,
      });
      if (!result.verified) return false;
      await this.repository.passkeyUsed(passkey.id, result.authenticationInfo.newCounter);
      return true;
    } catch {
      return false;
    }
  }
}

/** Loaded when a passkey is used: the WebAuthn library is a large share of every process's start-up otherwise. */
function webauthn(): Promise<typeof import('@simplewebauthn/server')> {
  return import('@simplewebauthn/server');
}
