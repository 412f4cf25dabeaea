import { SigningEvents } from './signing-events';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { hashPassword } from '../accounts/passwords';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentsService } from '../documents/documents.service';
import { QueuedMail } from '../mail/mail.types';
import { MailService } from '../mail/mail.service';
import { NetworksService } from '../networks/networks.service';
import { SignaturesService } from './signatures.service';
import { SigningMailService } from './signing-mail.service';
import { FamilyLinksRepository, WithdrawalLink } from './family-links.repository';
import { SigningOfficeRepository } from './signing-office.repository';
import { SigningRepository } from './signing.repository';
import { OfflineSignature, SignatureInput, Signer, SignerInput, SigningRequest, SigningRequestView } from './signing.types';
import { MAX_ACCESS_CODE_FAILURES, assertSignable, assertTurn, isChecked, mayStart, validateSigners } from './signing.validation';
import { Transactions } from '../common/database/transactions';

/**
 * Signing requests, as the office makes them: who signs a document, by e-mailed link or in person, in
 * order or not; the office re-sends a link (which kills the old one), cancels, or witnesses a signature.
 */
@Injectable()
export class SigningService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SigningRepository,
    private readonly office: SigningOfficeRepository,
    private readonly familyLinks: FamilyLinksRepository,
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
    private readonly signatures: SignaturesService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly events: SigningEvents,
  ) {}

  async create(
    user: CurrentUser,
    documentId: string,
    input: { signers?: SignerInput[]; ordered?: unknown },
    origin: RequestOrigin | null,
  ): Promise<SigningRequestView> {
    const document = await this.documents.writable(user, documentId, origin);
    const { form } = this.networks.getForm(document.networkId, document.formId);
    if (!form.signed) throw new DomainError('INVALID_STATE', `${form.title}は署名する様式ではありません`);
    if (document.status !== 'issued') throw new DomainError('INVALID_STATE', `${document.number} は「発行済」のときだけ署名を依頼できます`);
    const signers = validateSigners(form.signers, input.signers);
    const expiresAt = new Date(Date.now() + this.config.signingLinkDays * 86_400_000);

    // Its expiry and reminders need no job now: the sweeper finds them in these rows when they fall due.
    const { request, outbox } = await this.transactions.run(async (manager) => {
      if (await this.repository.openRequestOf(manager, documentId))
        throw new DomainError('INVALID_STATE', 'この書類には進行中の署名依頼があります。取り消してから作り直してください');
      if (await this.repository.unsealedRequestOf(manager, documentId))
        throw new DomainError('INVALID_STATE', 'この書類は全員の署名がそろい、封緘を待っています');
      const request = await this.repository.insertRequest(manager, {
        documentId,
        officeId: document.officeId,
        ordered: isChecked(input.ordered),
        expiresAt,
        createdBy: user.id,
      });
      const rows: Signer[] = [];
      for (const [position, s] of signers.entries()) {
        rows.push(
          await this.repository.insertSigner(manager, {
            requestId: request.id,
            role: s.role.role,
            roleLabel: s.role.label,
            position,
            name: s.name,
            email: s.email,
            relation: s.relation,
            method: s.method,
            accessCodeHash: s.accessCode ? await hashPassword(s.accessCode) : null,
          }),
        );
      }
      const outbox: QueuedMail[] = [];
      for (const signer of rows) {
        if (mayStart(request, rows, signer)) outbox.push(await this.mailer.sendLink(manager, request, signer, document, 'signing-request'));
      }
      await this.audit.record(
        {
          action: 'signing_requested',
          actor: user,
          target: { type: 'document', id: documentId },
          origin,
          detail: { request: request.id, signers: rows.map((r) => r.role) },
        },
        manager,
      );
      await this.events.emit(manager, 'signing.sent', document, request.id, {
        status: 'open',
        signerRoles: rows.map((r) => r.role),
        ordered: request.ordered,
        expiresAt: request.expiresAt.toISOString(),
        sentAt: request.createdAt.toISOString(),
      });
      return { request, outbox };
    });
    await this.mail.dispatch(outbox);
    return this.describe(request.id);
  }

  /** A request with its signers, for the office (no secrets). */
  async describe(requestId: string): Promise<SigningRequestView> {
    const request = await this.repository.findRequest(requestId);
    if (!request) throw new Error(`signing request ${requestId} does not exist`);
    const signers = await this.repository.signersOf(requestId);
    return {
      ...request,
      signers: signers.map(({ accessFailures, ...s }) => ({ ...s, locked: accessFailures >= MAX_ACCESS_CODE_FAILURES })),
    };
  }

  async forDocument(user: CurrentUser, documentId: string, origin: RequestOrigin | null): Promise<SigningRequestView[]> {
    await this.documents.writable(user, documentId, origin);
    const requests = await this.repository.requestsOf(documentId);
    return Promise.all(requests.map((r) => this.describe(r.id)));
  }

  /** A new link for one signer; the old one stops working at once. */
  async resend(user: CurrentUser, requestId: string, signerId: string, origin: RequestOrigin | null): Promise<SigningRequestView> {
    const { request, signer } = await this.officeSigner(user, requestId, signerId, origin);
    if (signer.method !== 'email' || !signer.email)
      throw new DomainError('INVALID_STATE', `${signer.name} さんはメールで署名する設定ではありません`);
    if (signer.status !== 'pending') throw new DomainError('INVALID_STATE', `${signer.name} さんは既に署名または辞退しています`);
    assertTurn(request, await this.repository.signersOf(request.id), signer, 'office');
    const document = await this.documents.byId(request.documentId);
    const outbox = await this.transactions.run(async (manager) => {
      // A link locked by wrong 暗証番号 starts afresh with the new one (setLink clears the count): the log says so.
      const locked = (await this.repository.findSigner(signer.id, request.id, manager))!.accessFailures >= MAX_ACCESS_CODE_FAILURES;
      const message = await this.mailer.sendLink(manager, request, signer, document, 'signing-request');
      await this.audit.record({ action: 'signing_link_resent', actor: user, target: { type: 'signer', id: signer.id }, origin }, manager);
      if (locked)
        await this.audit.record(
          { action: 'access_code_unlocked', actor: user, target: { type: 'signer', id: signer.id }, origin },
          manager,
        );
      return message;
    });
    await this.mail.dispatch([outbox]);
    return this.describe(request.id);
  }

  /** Cancels an open request: every link dies, and each signer who was sent one is told by e-mail. */
  async cancel(user: CurrentUser, requestId: string, origin: RequestOrigin | null): Promise<SigningRequestView> {
    const request = await this.officeRequest(user, requestId, origin);
    const document = await this.documents.byId(request.documentId);
    const outbox = await this.transactions.run(async (manager) => {
      if (!(await this.repository.close(manager, request.id, 'cancelled')))
        throw new DomainError('INVALID_STATE', 'この署名依頼は既に終了しています');
      await this.audit.record(
        { action: 'signing_cancelled', actor: user, target: { type: 'signing_request', id: request.id }, origin },
        manager,
      );
      const told = (await this.repository.signersOf(request.id, manager)).filter((s) => s.email && s.sentAt && s.status !== 'declined');
      return Promise.all(told.map((s) => this.mailer.cancelled(manager, s, document)));
    });
    await this.mail.dispatch(outbox);
    return this.describe(request.id);
  }

  /**
   * 対面に切替: a signer set up for e-mail (with or without 暗証番号) will sign on the office's device instead.
   * Their link dies; the switch is audit-logged and printed on the sealed PDF's audit page.
   */
  async switchToInPerson(user: CurrentUser, requestId: string, signerId: string, origin: RequestOrigin | null): Promise<void> {
    const { request, signer } = await this.officeSigner(user, requestId, signerId, origin);
    await this.transactions.run(async (manager) => {
      if (!(await this.office.switchToInPerson(manager, signer.id, user.id)))
        throw new DomainError('INVALID_STATE', `${signer.name} さんは、メールで署名を待っている方ではありません`);
      await this.audit.record(
        {
          action: 'signer_switched_to_in_person',
          actor: user,
          target: { type: 'signer', id: signer.id },
          origin,
          detail: { request: request.id, role: signer.role },
        },
        manager,
      );
    });
  }

  /** Signs on the office's device, during a visit: the logged-in staff member witnesses it. */
  async signInPerson(user: CurrentUser, requestId: string, signerId: string, input: SignatureInput, origin: RequestOrigin) {
    const { request, signer } = await this.officeSigner(user, requestId, signerId, origin);
    const document = await this.documents.byId(request.documentId);
    assertSignable(request, signer);
    if (signer.method === 'email')
      throw new DomainError(
        'INVALID_STATE',
        `${signer.name} さんはメールで署名する設定です。この端末で署名するには、先に「対面に切替」を行ってください`,
      );
    const role = this.networks.getForm(document.networkId, document.formId).form.signers.find((r) => r.role === signer.role)!;
    return this.signatures.sign(signer.id, role, input, origin, user);
  }

  /**
   * A signature made offline on a home visit, received when the tablet is online again: the staff member who took
   * the document witnessed it; the device's time of signing is kept beside the time of receipt.
   */
  async signOffline(
    user: CurrentUser,
    requestId: string,
    signerId: string,
    input: SignatureInput,
    offline: OfflineSignature,
    origin: RequestOrigin,
  ) {
    const request = await this.officeRequest(user, requestId, origin);
    const signer = isUuid(signerId) ? await this.repository.findSigner(signerId, requestId) : null;
    if (!signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    // Sent again (the tablet never heard the answer): the same signature, even once the request completed.
    if (signer.status === 'signed' && signer.visitId === offline.visitId) return { alreadySigned: true, completed: false };
    if (request.status !== 'open') throw new DomainError('REQUEST_CLOSED', 'この署名依頼は終了しています');
    const document = await this.documents.byId(request.documentId);
    assertSignable(request, signer);
    if (signer.method !== 'in_person') throw new DomainError('ALREADY_SIGNED', `${signer.name} さんはメールで署名する設定に変わりました`);
    const role = this.networks.getForm(document.networkId, document.formId).form.signers.find((r) => r.role === signer.role)!;
    return this.signatures.sign(signer.id, role, input, origin, user, offline);
  }

  /** A signer who declined on a home visit's tablet (with the reason they gave), received when it is online again. */
  async declineOffline(
    user: CurrentUser,
    requestId: string,
    signerId: string,
    reason: string,
    offline: OfflineSignature,
    origin: RequestOrigin,
  ) {
    const request = await this.officeRequest(user, requestId, origin);
    const signer = isUuid(signerId) ? await this.repository.findSigner(signerId, requestId) : null;
    if (!signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    if (signer.status === 'declined' && signer.visitId === offline.visitId) return; // sent again: the same decline
    if (signer.status === 'signed') throw new DomainError('ALREADY_SIGNED', `${signer.name} さんは既に別の方法で署名しています`);
    if (request.status !== 'open' || signer.status !== 'pending') throw new DomainError('REQUEST_CLOSED', 'この署名依頼は終了しています');
    if (signer.method !== 'in_person') throw new DomainError('ALREADY_SIGNED', `${signer.name} さんはメールで署名する設定に変わりました`);
    const document = await this.documents.byId(request.documentId);
    await this.signatures.decline(signer.id, document, reason.trim().slice(0, 500), origin, user, offline);
  }

  /** The documents left use (inside the caller's transaction): their open requests are cancelled, links refused from now on. */
  cancelOpenIn(manager: EntityManager, documentIds: string[]): Promise<void> {
    return this.repository.cancelOpenFor(manager, documentIds);
  }

  /** Erasure, inside the caller's transaction: signers and links go; returns the sealed files' hashes (to delete). */
  eraseIn(manager: EntityManager, documentIds: string[], exemplarIds: string[]): Promise<string[]> {
    return this.office.eraseFor(manager, documentIds, exemplarIds);
  }

  /** What a withdrawal link in a consent's copy e-mail is for: its document and to whom it was sent. */
  async withdrawalLink(token: string): Promise<WithdrawalLink | null> {
    return typeof token === 'string' && token.length <= 100 ? this.familyLinks.findWithdrawalLink(sha256Hex(token)) : null;
  }

  /** To whom a family download link was sent (a disclosure's access log names them), while the link is on record. */
  async downloadRecipient(tokenHash: string): Promise<string | null> {
    return (await this.familyLinks.findDownloadLink(tokenHash))?.recipient ?? null;
  }

  /** Whether the document was ever sent for signing (bulk e-signing sends each pledge once). */
  hasRequest(documentId: string): Promise<boolean> {
    return this.repository.hasRequest(documentId);
  }

  private async officeRequest(user: CurrentUser, requestId: string, origin: RequestOrigin | null): Promise<SigningRequest> {
    const request = isUuid(requestId) ? await this.repository.findRequest(requestId) : null;
    if (!request) throw new DomainError('NOT_FOUND', '署名依頼が見つかりません');
    if (!isOfficeUser(user) || user.officeId !== request.officeId) {
      await this.audit.record({ action: 'access_denied', actor: user, target: { type: 'signing_request', id: requestId }, origin });
      throw new DomainError('NOT_FOUND', '署名依頼が見つかりません');
    }
    return request;
  }

  private async officeSigner(user: CurrentUser, requestId: string, signerId: string, origin: RequestOrigin | null) {
    const request = await this.officeRequest(user, requestId, origin);
    const signer = isUuid(signerId) ? await this.repository.findSigner(signerId, requestId) : null;
    if (!signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    if (request.status !== 'open') throw new DomainError('REQUEST_CLOSED', 'この署名依頼は終了しています');
    return { request, signer };
  }
}
