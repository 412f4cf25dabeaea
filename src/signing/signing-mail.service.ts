import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { sha256Hex } from '../common/hash';
import { formatJst } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { MailService } from '../mail/mail.service';
import { MailKind, QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { LinkOfficesRepository } from './link-offices.repository';
import { SigningRepository } from './signing.repository';
import { Signer, SigningDocument, SigningRequest } from './signing.types';

/** A link's secret: 192 bits, stored only as its hash. */
export const newToken = () => randomBytes(24).toString('base64url');

/**
 * The messages signing sends, each put in the outbox in the caller's transaction (the caller dispatches
 * them after the commit): links to sign, the office's notice of an expired request, the signed copy.
 */
@Injectable()
export class SigningMailService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SigningRepository,
    private readonly linkOffices: LinkOfficesRepository,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly mail: MailService,
  ) {}

  /**
   * A new link for the signer (their previous one stops working), e-mailed to them. A first link (or one the
   * office re-sends) is reminded after REMINDER_DAYS by the sweeper; a reminder is sent once.
   */
  async sendLink(
    manager: EntityManager,
    request: Pick<SigningRequest, 'expiresAt'>,
    signer: Pick<Signer, 'id' | 'name' | 'email'>,
    document: SigningDocument,
    kind: Extract<MailKind, 'signing-request' | 'reminder'>,
  ): Promise<QueuedMail> {
    const token = newToken();
    const remindAt = kind === 'signing-request' ? new Date(Date.now() + this.config.reminderDays * 86_400_000) : null;
    await this.linkOffices.remember(manager, sha256Hex(token), document.officeId);
    await this.repository.setLink(manager, signer.id, {
      tokenHash: sha256Hex(token),
      expiresAt: request.expiresAt,
      remindAt,
      reminder: kind === 'reminder',
    });
    const message = this.mail.compose(document.networkId, kind, {
      ...(await this.context(document, manager)),
      signerName: signer.name,
      link: `${this.config.publicUrl}/sign/${token}`,
      expiresAt: formatJst(request.expiresAt),
      accessCode: await this.repository.hasAccessCode(manager, signer.id),
    });
    return this.mail.enqueue(manager, { kind, to: signer.email!, ...message, documentId: document.id });
  }

  /** Tells the office that asked for signatures that its request expired, and who had not signed. */
  async expired(
    manager: EntityManager,
    request: Pick<SigningRequest, 'expiresAt'>,
    document: SigningDocument,
    to: string,
    pending: Array<Pick<Signer, 'name' | 'roleLabel'>>,
  ): Promise<QueuedMail> {
    const message = this.mail.compose(document.networkId, 'expired', {
      ...(await this.context(document, manager)),
      expiresAt: formatJst(request.expiresAt),
      pendingNames: pending.map((p) => `${p.name}（${p.roleLabel}）`).join('、'),
      link: `${this.config.publicUrl}/documents/${document.id}`,
    });
    return this.mail.enqueue(manager, { kind: 'expired', to, ...message, documentId: document.id });
  }

  /**
   * Tells the office what became of its request (declined with the reason, or every signature in): the staff
   * member who made it, or, if that account is gone, the office's managers.
   */
  async toOffice(
    manager: EntityManager,
    request: Pick<SigningRequest, 'createdBy' | 'officeId'>,
    document: SigningDocument,
    kind: Extract<MailKind, 'signing-declined' | 'signing-completed' | 'signing-locked'>,
    details: Record<string, unknown>,
  ): Promise<QueuedMail[]> {
    const message = this.mail.compose(document.networkId, kind, {
      ...(await this.context(document, manager)),
      ...details,
      link: `${this.config.publicUrl}/documents/${document.id}`,
      overviewLink: `${this.config.publicUrl}/office/signing`,
    });
    const outbox: QueuedMail[] = [];
    for (const to of await this.officeRecipients(manager, request))
      outbox.push(await this.mail.enqueue(manager, { kind, to, ...message, documentId: document.id }));
    return outbox;
  }

  /** Who hears of a request's end: its maker, else the office's managers. */
  async officeRecipients(manager: EntityManager, request: Pick<SigningRequest, 'createdBy' | 'officeId'>): Promise<string[]> {
    const creator = request.createdBy ? await this.users.findById(request.createdBy, manager) : null;
    if (creator) return [creator.email];
    return (await this.users.managersOf(request.officeId)).map((u) => u.email);
  }

  /** Tells a signer who had a link that the office cancelled the request: the link is dead, nothing to sign. */
  async cancelled(manager: EntityManager, signer: Pick<Signer, 'name' | 'email'>, document: SigningDocument): Promise<QueuedMail> {
    const message = this.mail.compose(document.networkId, 'signing-cancelled', {
      ...(await this.context(document, manager)),
      signerName: signer.name,
    });
    return this.mail.enqueue(manager, { kind: 'signing-cancelled', to: signer.email!, ...message, documentId: document.id });
  }

  /** The patient's side's link to download its exemplar (原本 or 写し) of a sealed sheet: the form, or its 撤回受付票. */
  async patientCopy(
    manager: EntityManager,
    document: SigningDocument,
    kind: 'signed-copy' | 'withdrawal-receipt',
    context: Record<string, unknown>,
    copy: { to: string; name: string; mark: string; token: string; expiresAt: Date },
  ): Promise<QueuedMail> {
    const message = this.mail.compose(document.networkId, kind, {
      ...context,
      recipientName: copy.name,
      mark: copy.mark,
      link: `${this.config.publicUrl}/d/${copy.token}`,
      expiresAt: formatJst(copy.expiresAt),
      verifyUrl: `${this.config.publicUrl}/verify`,
    });
    return this.mail.enqueue(manager, { kind, to: copy.to, ...message, documentId: document.id });
  }

  /** What every message and the audit-trail page say of the document: network, office, form, number. */
  async context(document: SigningDocument, manager?: EntityManager): Promise<Record<string, unknown>> {
    const network = this.networks.getNetwork(document.networkId);
    const office = await this.offices.get(document.officeId, manager);
    return {
      networkName: network.name,
      operator: network.operator,
      officeName: office.name,
      officePhone: office.phone,
      formTitle: document.formTitle,
      formNumber: document.formNumber,
      documentNumber: document.number,
    };
  }
}
