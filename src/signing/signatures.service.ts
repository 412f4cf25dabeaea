import { SigningEvents } from './signing-events';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DocumentRetirementService } from '../documents/document-retirement.service';
import { DocumentsService } from '../documents/documents.service';
import { formatJst } from '../common/japan-date';
import { QueuedMail } from '../mail/mail.types';
import { MailService } from '../mail/mail.service';
import { SignerRole } from '../networks/catalogue.types';
import { SigningJobsService } from './signing-jobs.service';
import { SigningMailService } from './signing-mail.service';
import { SigningRepository } from './signing.repository';
import { OfflineSignature, SignatureInput, Signer, SigningDocument, SigningRequest } from './signing.types';
import { assertDocumentSignable, assertSignable, assertTurn, validateSignature } from './signing.validation';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';

/**
 * Records one signature, by link or in person. The last signature completes the request and queues its
 * seal; in an ordered request, each signature sends the next signer their link.
 */
@Injectable()
export class SignaturesService {
  constructor(
    private readonly repository: SigningRepository,
    private readonly documents: DocumentsService,
    private readonly retirement: DocumentRetirementService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
    private readonly jobs: SigningJobsService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly events: SigningEvents,
  ) {}

  async sign(
    signerId: string,
    role: SignerRole,
    input: SignatureInput,
    origin: RequestOrigin,
    witness: CurrentUser | null,
    offline: OfflineSignature | null = null,
  ): Promise<{ alreadySigned: boolean; completed: boolean }> {
    const signature = validateSignature(role, input);
    const located = await this.repository.findSigner(signerId);
    const documentId = located && (await this.repository.findRequest(located.requestId))?.documentId;
    const { completed, outbox, requestId, alreadySigned } = await this.transactions.run(async (manager) => {
      // The document's row first (as withdrawal and erasure take it): a withdrawal that committed first is
      // seen here, one that comes later waits for this signature and then cancels the request.
      const document = documentId ? await this.retirement.lock(manager, documentId) : null;
      const signer = await this.repository.lockSigner(manager, signerId);
      const outbox: QueuedMail[] = [];
      // A visit's signature sent twice (the answer was lost) is the same signature; signed any other way, it is refused.
      if (signer.status === 'signed' && offline && signer.visitId !== offline.visitId)
        throw new DomainError('ALREADY_SIGNED', `${signer.name} さんは既に別の方法で署名しています`);
      if (signer.status === 'signed') return { completed: false, outbox, requestId: signer.requestId, alreadySigned: true };
      if (document) assertDocumentSignable(document);
      // Serialize completions on the request row, so that two last signers finishing together both count
      // and exactly one of them completes the request.
      const request = await this.repository.lockRequest(manager, signer.requestId);
      assertSignable(request, signer);
      assertTurn(request, await this.repository.signersOf(request.id, manager), signer, witness ? 'office' : 'family');
      await this.repository.recordSignature(manager, signer, signature, origin, witness?.id ?? null, offline);
      await this.audit.record(
        {
          action: 'signed',
          actor: witness,
          target: { type: 'signer', id: signer.id },
          origin,
          detail: {
            role: signer.role,
            method: witness ? 'in_person' : 'link',
            ...(offline ? { visit: offline.visitId, signedOnDeviceAt: offline.signedOnDeviceAt.toISOString() } : {}),
          },
        },
        manager,
      );
      await offline?.alongside(manager);
      const all = await this.repository.signersOf(request.id, manager);
      const completes = all.every((s) => s.status === 'signed');
      await this.events.emit(manager, 'signing.signed', await this.documents.rowIn(manager, request.documentId), request.id, {
        signerId: signer.id,
        signerRole: signer.role,
        method: witness ? 'in_person' : 'link',
        signedAt: new Date().toISOString(),
        status: completes ? 'completed' : 'open',
      });
      if (completes) {
        await this.repository.complete(manager, request.id);
        // The office hears of it unless every signature was given before its own staff (then it knows already).
        if (all.some((s) => s.method === 'email')) outbox.push(...(await this.completedNotice(manager, request, all)));
        return { completed: true, outbox, requestId: request.id, alreadySigned: false };
      }
      if (request.ordered) {
        const next = all.find((s) => s.status === 'pending');
        if (next && next.method === 'email')
          outbox.push(await this.mailer.sendLink(manager, request, next, await this.documents.byId(request.documentId), 'signing-request'));
      }
      return { completed: false, outbox, requestId: request.id, alreadySigned: false };
    });
    await this.mail.dispatch(outbox);
    if (completed) await this.jobs.queueSeal(requestId);
    return { alreadySigned, completed };
  }

  /**
   * A signer declines (by link, or on a visit's tablet): the request closes as declined, and the office is told,
   * with the reason, in the same transaction. The reason stays with the signer (erasable); the append-only log
   * keeps no free text a family member typed.
   */
  async decline(
    signerId: string,
    document: SigningDocument,
    reason: string,
    origin: RequestOrigin,
    witness: CurrentUser | null,
    offline: OfflineSignature | null = null,
  ): Promise<void> {
    const outbox = await this.transactions.run(async (manager) => {
      if (offline) {
        const signer = await this.repository.lockSigner(manager, signerId);
        if (signer.status === 'signed') throw new DomainError('ALREADY_SIGNED', `${signer.name} さんは既に別の方法で署名しています`);
        if (signer.status === 'declined') throw new DomainError('REQUEST_CLOSED', `${signer.name} さんは既に辞退しています`);
      }
      const signer = (await this.repository.findSigner(signerId, undefined, manager))!;
      await this.repository.recordDecline(manager, signer.id, reason || null, origin, offline);
      if (!(await this.repository.close(manager, signer.requestId, 'declined'))) {
        if (offline) throw new DomainError('REQUEST_CLOSED', 'この署名依頼は既に終了しています');
        return [];
      }
      await this.events.emit(manager, 'signing.declined', document, signer.requestId, {
        signerId: signer.id,
        signerRole: signer.role,
        status: 'declined',
        declinedAt: new Date().toISOString(),
      });
      await this.audit.record(
        {
          action: 'signing_declined',
          actor: witness,
          target: { type: 'signer', id: signer.id },
          origin,
          detail: {
            withReason: reason !== '',
            ...(offline ? { visit: offline.visitId, declinedOnDeviceAt: offline.signedOnDeviceAt.toISOString() } : {}),
          },
        },
        manager,
      );
      await offline?.alongside(manager);
      const made = (await this.repository.findRequest(signer.requestId, manager))!;
      return this.mailer.toOffice(manager, made, document, 'signing-declined', {
        signerName: signer.name,
        roleLabel: signer.roleLabel,
        reason: reason || null,
        declinedAt: formatJst(new Date()),
      });
    });
    await this.mail.dispatch(outbox);
  }

  private async completedNotice(manager: EntityManager, request: SigningRequest, all: Signer[]): Promise<QueuedMail[]> {
    const document = await this.documents.byId(request.documentId);
    return this.mailer.toOffice(manager, request, document, 'signing-completed', {
      completedAt: formatJst(new Date()),
      signerNames: all.map((s) => `${s.name}（${s.roleLabel}）`).join('、'),
    });
  }
}
