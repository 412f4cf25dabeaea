import { IntegrationEvents } from '../integrations/integration-events.service';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { toSeireki, todayInJapan } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentRetirementService, revocationRefusal } from '../documents/document-retirement.service';
import { DocumentView, DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { SigningLinksService } from '../signing/signing-links.service';
import { SigningService } from '../signing/signing.service';
import { RightsJobsService } from './rights-jobs.service';
import { NewWithdrawal, RightsRepository } from './rights.repository';
import { ConsentWithdrawal } from './rights.types';
import { WithdrawalInput, parseWithdrawal } from './rights.validation';
import { Transactions } from '../common/database/transactions';

/** Who recorded a withdrawal the family made themselves, through the link in their copy e-mail. */
export const FAMILY_BY_LINK = 'ご本人・ご家族（メールのリンク）';

/** What the family's withdrawal page shows of the consent behind its link. */
export interface WithdrawalLinkPage {
  document: Pick<DocumentView, 'number' | 'formTitle' | 'formNumber'>;
  officeName: string;
  networkName: string;
}

/**
 * A document leaving use, with everything that must stop with it, in one transaction: an unsigned document
 * withdrawn (取り下げ), a signed consent revoked (撤回) — recorded by the office, or by the family through
 * their link. Open signing requests are cancelled (their links refused from then on), unsent mail about it
 * held back; a revoked consent's 撤回受付票 is then sealed and given to both parties by the worker.
 */
@Injectable()
export class ConsentWithdrawalService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RightsRepository,
    private readonly documents: DocumentsService,
    private readonly retirement: DocumentRetirementService,
    private readonly signing: SigningService,
    private readonly signingLinks: SigningLinksService,
    private readonly mail: MailService,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly jobs: RightsJobsService,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  /** 取り下げ of a draft or issued document (and its unsigned corrections): nobody can sign it any more. */
  async withdrawDocument(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    await this.documents.writable(user, id, origin);
    await this.transactions.run(async (manager) => {
      const doc = await this.retirement.withdrawIn(manager, id);
      const corrections = await this.retirement.withdrawCorrectionsIn(manager, id);
      await this.stopUse(manager, [id, ...corrections.map((c) => c.id)]);
      const detail = { number: doc.number, corrections: corrections.map((c) => c.number) };
      await this.audit.record({ action: 'document_withdrawn', actor: user, target: { type: 'document', id }, origin, detail }, manager);
    });
    return this.documents.byId(id);
  }

  /** 撤回 of a signed consent, as the office received it (書面, 電話, 来所, or the family's link). */
  async record(user: CurrentUser, documentId: string, input: WithdrawalInput, origin: RequestOrigin | null): Promise<ConsentWithdrawal> {
    const doc = await this.documents.writable(user, documentId, origin);
    this.assertConsent(doc);
    const refusal = revocationRefusal(doc); // checked again under the document's lock
    if (refusal) throw refusal;
    const parsed = parseWithdrawal(input, doc.signedAt ? todayInJapan(doc.signedAt) : null);
    return this.revoke(doc, { ...parsed, recordedBy: user.id, recordedByName: user.name }, user, origin);
  }

  /**
   * What the family's link opens, or why it cannot be used: unknown, expired (the page names the office and
   * its phone), behind the signer's 暗証番号 not yet given, or a consent no longer in force.
   */
  async linkPage(token: string, accessSecret: string | null): Promise<WithdrawalLinkPage & { documentId: string; recipient: string }> {
    const link = await this.openLink(token);
    await this.signingLinks.assertFamilyAccess(link.documentId, link.recipient, accessSecret);
    const doc = await this.documents.byId(link.documentId);
    if (doc.status === 'revoked') {
      const withdrawal = await this.repository.withdrawalOf(doc.id);
      const on = withdrawal ? `${toSeireki(withdrawal.receivedAt)}付けで` : '';
      throw new DomainError('DOCUMENT_RETIRED', `この同意は${on}撤回されています。撤回受付票はメールでお送りします`);
    }
    if (doc.status !== 'signed') throw new DomainError('DOCUMENT_RETIRED', 'この同意書は使われていないため、撤回の必要はありません');
    const office = await this.offices.get(doc.officeId);
    const page = { number: doc.number, formTitle: doc.formTitle, formNumber: doc.formNumber };
    const networkName = this.networks.getNetwork(doc.networkId).name;
    return { document: page, officeName: office.name, networkName, documentId: doc.id, recipient: link.recipient };
  }

  /**
   * Checks the 暗証番号 at a withdrawal link (the signer's counter and lock, as on the signing page); returns the
   * secret that lets this browser go on, or null when the link has no 暗証番号.
   */
  async unlockLink(token: string, code: string, origin: RequestOrigin | null): Promise<string | null> {
    const link = await this.openLink(token);
    if (!(await this.signingLinks.familyLinkGuard(link.documentId, link.recipient))) return null;
    return this.signingLinks.verifyFamilyAccessCode(link.documentId, link.recipient, code, origin);
  }

  /** 撤回 by the family through their link: received today; the office is told by e-mail. */
  async withdrawByLink(
    token: string,
    input: { note?: unknown },
    accessSecret: string | null,
    origin: RequestOrigin,
  ): Promise<ConsentWithdrawal> {
    const { documentId } = await this.linkPage(token, accessSecret);
    const doc = await this.documents.byId(documentId);
    const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim().slice(0, 500) : null;
    const withdrawal = { receivedVia: 'link' as const, receivedAt: todayInJapan(), note, recordedBy: null, recordedByName: FAMILY_BY_LINK };
    return this.revoke(doc, withdrawal, null, origin);
  }

  /** A withdrawal link that is on record and not expired. Once expired, the office takes the withdrawal: the page says whom to call. */
  private async openLink(token: string): Promise<{ documentId: string; recipient: string }> {
    const link = await this.signing.withdrawalLink(token);
    if (!link) throw new DomainError('LINK_INVALID', 'このリンクは使えません。お手元のメールのリンクをもう一度お確かめください');
    if (link.expiresAt.getTime() < Date.now()) {
      const office = await this.offices.get((await this.documents.byId(link.documentId)).officeId);
      const call = office.phone ? `${office.name}（電話 ${office.phone}）` : office.name;
      throw new DomainError(
        'LINK_EXPIRED',
        `このリンクは有効期限が切れています。同意を撤回される場合は、${call}にご連絡ください。お電話・書面・来所で撤回をお受けします（撤回はいつでもできます）`,
      );
    }
    return link;
  }

  withdrawalsOf(documentIds: string[]): Promise<ConsentWithdrawal[]> {
    return this.repository.withdrawalsOf(documentIds);
  }

  private assertConsent(doc: DocumentView): void {
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    if (form.purpose !== 'consent')
      throw new DomainError('INVALID_STATE', `${form.title}は同意書ではないため、同意の撤回は記録できません（取り下げを使ってください）`);
  }

  private async revoke(
    doc: DocumentView,
    withdrawal: Omit<NewWithdrawal, 'documentId' | 'officeId' | 'patientId'>,
    actor: CurrentUser | null,
    origin: RequestOrigin | null,
  ): Promise<ConsentWithdrawal> {
    const { saved, outbox } = await this.transactions.run(async (manager) => {
      await this.retirement.revokeIn(manager, doc.id, withdrawal.receivedAt);
      const corrections = await this.retirement.withdrawCorrectionsIn(manager, doc.id);
      await this.stopUse(manager, [doc.id, ...corrections.map((c) => c.id)]);
      const patientId = doc.subjectType === 'patient' ? doc.subjectId : null;
      const saved = await this.repository.insertWithdrawal(manager, {
        ...withdrawal,
        documentId: doc.id,
        officeId: doc.officeId,
        patientId,
      });
      const detail = { via: withdrawal.receivedVia, receivedAt: withdrawal.receivedAt, corrections: corrections.map((c) => c.number) };
      const target = { type: 'document', id: doc.id };
      await this.audit.record({ action: 'consent_withdrawn', actor, target, origin, detail }, manager);
      await this.events.emit(manager, {
        type: 'consent.withdrawn',
        officeId: doc.officeId,
        networkId: doc.networkId,
        data: {
          documentId: doc.id,
          number: doc.number,
          form: doc.formId,
          officeId: doc.officeId,
          withdrawalId: saved.id,
          status: 'revoked',
          receivedVia: withdrawal.receivedVia,
          receivedAt: withdrawal.receivedAt,
          withdrawnCorrections: corrections.map((c) => c.number),
        },
      });
      const outbox = actor ? [] : await this.tellOffice(manager, doc, saved);
      return { saved, outbox };
    });
    await this.mail.dispatch(outbox);
    await this.jobs.queueReceipt(saved.id);
    return saved;
  }

  /** What stops with a document leaving use: its open signing requests, and what is still unsent about it. */
  private async stopUse(manager: EntityManager, documentIds: string[]): Promise<void> {
    await this.signing.cancelOpenIn(manager, documentIds);
    await this.mail.cancelPendingFor(manager, documentIds);
  }

  /** The family withdrew through their link: whoever made the consent at the office is told. */
  private async tellOffice(manager: EntityManager, doc: DocumentView, withdrawal: ConsentWithdrawal): Promise<QueuedMail[]> {
    const creator = doc.createdBy ? await this.users.findById(doc.createdBy, manager) : null;
    if (!creator) return [];
    const office = await this.offices.get(doc.officeId, manager);
    const network = this.networks.getNetwork(doc.networkId);
    const message = this.mail.compose(doc.networkId, 'consent-withdrawn', {
      networkName: network.name,
      officeName: office.name,
      formTitle: doc.formTitle,
      documentNumber: doc.number,
      receivedOn: toSeireki(withdrawal.receivedAt),
      note: withdrawal.note,
      link: `${this.config.publicUrl}${withdrawal.patientId ? `/office/patients/${withdrawal.patientId}` : `/documents/${doc.id}`}`,
    });
    return [await this.mail.enqueue(manager, { kind: 'consent-withdrawn', to: creator.email, ...message, documentId: doc.id })];
  }
}
