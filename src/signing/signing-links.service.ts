import { SigningEvents } from './signing-events';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { verifyPassword } from '../accounts/passwords';
import { AuditService } from '../audit/audit.service';
import { DocumentsService } from '../documents/documents.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { RequestOrigin } from '../common/request-origin';
import { NetworksService } from '../networks/networks.service';
import { formatJst } from '../common/japan-date';
import { EntityManager } from 'typeorm';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { SignaturesService } from './signatures.service';
import { SigningMailService } from './signing-mail.service';
import { FamilyLinksRepository, FamilyPinSigner } from './family-links.repository';
import { OpenLinksRepository } from './open-links.repository';
import { SigningRepository } from './signing.repository';
import { OpenedLink, PinSigner, SignatureInput, SigningDocument } from './signing.types';
import {
  MAX_ACCESS_CODE_FAILURES,
  assertDocumentSignable,
  assertSignable,
  familyLockedError,
  lockedError,
  notYourTurn,
} from './signing.validation';
import { Transactions } from '../common/database/transactions';

/**
 * The public side of signing: what an e-mailed link opens, its optional 暗証番号, signing and declining
 * through it. Links are single-use, stored only as hashes, expire, and die when re-sent.
 */
@Injectable()
export class SigningLinksService {
  constructor(
    private readonly repository: SigningRepository,
    private readonly openLinks: OpenLinksRepository,
    private readonly familyLinks: FamilyLinksRepository,
    private readonly networks: NetworksService,
    private readonly signatures: SignaturesService,
    private readonly audit: AuditService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
    private readonly transactions: Transactions,
    private readonly documents: DocumentsService,
    private readonly events: SigningEvents,
  ) {}

  /**
   * Opens a link; refuses one that is unknown, used, re-sent, expired or declined. (In an ordered request a
   * later signer has no link until it is their turn.) `kept`, for a page that only shows the link: its row may
   * come from this process's copy, dropped as any change to it commits (OpenLinksRepository.link).
   */
  async open(token: string, read: 'fresh' | 'kept' = 'fresh'): Promise<OpenedLink> {
    const link = await this.openLinks.link(sha256Hex(token), read);
    if (!link)
      throw new DomainError(
        'LINK_INVALID',
        'このリンクは使えません。署名済みか、新しいリンクが送られています。最新のメールのリンクをお使いください',
      );
    const { signer, request } = link;
    if (signer.status !== 'signed') assertDocumentSignable(link.document);
    assertSignable(request, signer);
    if (signer.status === 'pending' && signer.earlierPending > 0) throw notYourTurn('family');
    const { form } = this.networks.getForm(link.document.networkId, link.document.formId);
    const document = { ...link.document, formTitle: form.title, formNumber: form.number };
    const role = form.signers.find((r) => r.role === signer.role)!;
    if (!signer.viewedAt)
      await this.transactions.run(async (manager) => {
        // Only the first opening is an event: two tabs opening at once change the row once.
        if (!(await this.repository.markViewed(signer.id, manager))) return;
        await this.events.emit(manager, 'signing.opened', link.document, request.id, {
          signerId: signer.id,
          signerRole: signer.role,
          openedAt: new Date().toISOString(),
        });
      });
    return { signer, request, document, role, needsAccessCode: signer.accessCodeHash !== null };
  }

  /** Checks the 暗証番号 of a signing link (checkAccessCode); five wrong answers lock the link. */
  async verifyAccessCode(token: string, code: string, origin: RequestOrigin | null): Promise<string> {
    const { signer, request, document } = await this.open(token);
    return this.checkAccessCode(signer, code, origin, lockedError, (manager) =>
      this.lockNotice(manager, request.id, document, signer.roleLabel),
    );
  }

  /** The office hears of a lock once (the counter reaches the limit once), with ids, role and form only. */
  private async lockNotice(manager: EntityManager, requestId: string, document: SigningDocument, roleLabel: string): Promise<QueuedMail[]> {
    const request = await this.repository.findRequest(requestId, manager);
    if (!request) return [];
    return this.mailer.toOffice(manager, request, document, 'signing-locked', { roleLabel, lockedAt: formatJst(new Date()) });
  }

  /**
   * The 暗証番号 that guards a family link — the copy's download link, the withdrawal link — sent to `recipient`
   * for a sealed document: that of the signer it was sent to, when they had one (null: the link is open).
   */
  familyLinkGuard(documentId: string, recipient: string): Promise<FamilyPinSigner | null> {
    return this.familyLinks.pinSignerFor(documentId, recipient);
  }

  /** Checks the 暗証番号 at a family link: the signer's own counter and lock, as on the signing page. */
  async verifyFamilyAccessCode(documentId: string, recipient: string, code: string, origin: RequestOrigin | null): Promise<string> {
    const guard = await this.familyLinkGuard(documentId, recipient);
    if (!guard) throw new DomainError('INVALID_STATE', '暗証番号は設定されていません');
    return this.checkAccessCode(guard, code, origin, familyLockedError, async (manager) =>
      this.lockNotice(manager, guard.requestId, await this.documents.byId(documentId), guard.roleLabel),
    );
  }

  /** Refuses a family link behind a 暗証番号 to a browser that has not passed it (or to everyone, once locked). */
  async assertFamilyAccess(documentId: string, recipient: string, accessSecret: string | null): Promise<void> {
    const guard = await this.familyLinkGuard(documentId, recipient);
    if (guard) assertAccess(guard, accessSecret, familyLockedError);
  }

  /**
   * Five wrong answers lock the signer. Each attempt is counted before it is checked, so guesses sent all at
   * once get no more tries than guesses sent one by one. Returns a secret that proves this browser passed
   * (kept in its cookie; only its hash is stored).
   */
  private async checkAccessCode(
    signer: PinSigner,
    code: string,
    origin: RequestOrigin | null,
    locked: () => DomainError,
    tellOffice?: (manager: EntityManager) => Promise<QueuedMail[]>,
  ): Promise<string> {
    if (!signer.accessCodeHash) throw new DomainError('INVALID_STATE', '暗証番号は設定されていません');
    const failures = await this.repository.claimAccessAttempt(signer.id, MAX_ACCESS_CODE_FAILURES);
    if (failures === null) throw locked();
    if (!(await verifyPassword(String(code ?? ''), signer.accessCodeHash))) {
      const lockedNow = failures >= MAX_ACCESS_CODE_FAILURES;
      const outbox = await this.transactions.run(async (manager) => {
        const action = lockedNow ? 'access_code_locked' : 'access_code_failed';
        await this.audit.record({ action, target: { type: 'signer', id: signer.id }, origin }, manager);
        return lockedNow && tellOffice ? tellOffice(manager) : [];
      });
      await this.mail.dispatch(outbox);
      if (lockedNow) throw locked();
      throw new DomainError('ACCESS_CODE_WRONG', `暗証番号が違います（あと${MAX_ACCESS_CODE_FAILURES - failures}回でロックされます）`);
    }
    const secret = randomBytes(24).toString('base64url');
    await this.repository.grantAccess(signer.id, sha256Hex(secret));
    return secret;
  }

  /** Signs through an e-mailed link. A link that has signed once is dead: using it again signs nothing. */
  async signByLink(token: string, input: SignatureInput, accessSecret: string | null, origin: RequestOrigin) {
    const { signer, role } = await this.open(token);
    assertAccess(signer, accessSecret);
    return this.signatures.sign(signer.id, role, input, origin, null);
  }

  async declineByLink(token: string, reason: unknown, accessSecret: string | null, origin: RequestOrigin): Promise<void> {
    const { signer, document } = await this.open(token);
    assertAccess(signer, accessSecret);
    const text = typeof reason === 'string' ? reason.trim().slice(0, 500) : '';
    await this.signatures.decline(signer.id, document, text, origin, null);
  }
}

/**
 * Behind a 暗証番号, only the browser that entered it may see or act on the link: its cookie's secret must
 * hash to the one stored when the 暗証番号 was accepted (any other value, however it is named, shows nothing).
 * A locked link is closed to every browser.
 */
export function accessGranted(signer: PinSigner, accessSecret: string | null): boolean {
  if (!signer.accessCodeHash) return true;
  if (signer.accessFailures >= MAX_ACCESS_CODE_FAILURES) return false;
  if (!accessSecret || !signer.accessSessionHash) return false;
  const given = Buffer.from(sha256Hex(accessSecret), 'latin1');
  const stored = Buffer.from(signer.accessSessionHash, 'latin1');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export function isLocked(signer: PinSigner): boolean {
  return signer.accessCodeHash !== null && signer.accessFailures >= MAX_ACCESS_CODE_FAILURES;
}

function assertAccess(signer: PinSigner, accessSecret: string | null, locked: () => DomainError = lockedError): void {
  if (isLocked(signer)) throw locked();
  if (!accessGranted(signer, accessSecret)) throw new DomainError('ACCESS_CODE_REQUIRED', '暗証番号を入力してください');
}
