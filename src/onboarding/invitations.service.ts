import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Account, Office } from '../accounts/accounts.types';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { requireInTenancy } from '../common/auth/tenancy';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { formatJst } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { invalidRequest, toFieldErrors } from '../common/validation/field-errors';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { InviteStaffDto } from './dto/invitation.dto';
import { InvitationEntity } from './onboarding.entities';
import { OnboardingRepository } from './onboarding.repository';
import { InvitedAccount, OpenedInvitation } from './onboarding.types';
import { Transactions } from '../common/database/transactions';

/** How long an invitation link works. */
export const INVITATION_DAYS = 7;

/** The networks' password rule, as the invitation page and mail state it. */
export const PASSWORD_RULE = '8文字以上で、英字と数字を混ぜてください（128文字まで）';

/**
 * Invitations: an account created for someone (an approved office's manager, a manager's staff) sets its
 * own password through an e-mailed link. Links are random 192-bit tokens stored only as sha256,
 * single-use and expiring; sending a new one kills the old.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: OnboardingRepository,
    private readonly users: UsersService,
    private readonly offices: OfficesService,
    private readonly networks: NetworksService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** A new link for the account (its earlier ones stop working), e-mailed, in the caller's transaction. */
  async issue(
    manager: EntityManager,
    account: Pick<Account, 'id' | 'email' | 'name'>,
    office: Office,
    invitedBy: CurrentUser | null,
    extra: { pledgeSigning?: boolean; pledgeTitle?: string | null } = {},
  ): Promise<QueuedMail> {
    await this.repository.revokeInvitations(manager, account.id);
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
    await this.repository.insertInvitation(manager, {
      tokenHash: sha256Hex(token),
      userId: account.id,
      officeId: office.id,
      email: account.email,
      expiresAt,
      createdBy: invitedBy?.id ?? null,
    });
    const network = this.networks.getNetwork(office.networkId);
    const message = this.mail.compose(office.networkId, 'invitation', {
      networkName: network.name,
      operator: network.operator,
      officeName: office.name,
      recipientName: account.name,
      link: `${this.config.publicUrl}/invite/${token}`,
      expiresAt: formatJst(expiresAt),
      passwordRule: PASSWORD_RULE,
      loginUrl: `${this.config.publicUrl}/login`,
      pledgeSigning: extra.pledgeSigning ?? false,
      pledgeTitle: extra.pledgeTitle ?? null,
    });
    return this.mail.enqueue(manager, { kind: 'invitation', to: account.email, ...message });
  }

  /** What a link opens; refuses one that is unknown, replaced, used or expired, each with its own message. */
  async open(token: string): Promise<OpenedInvitation> {
    const invitation = await this.usable(await this.repository.invitationByHash(sha256Hex(String(token))));
    const office = await this.offices.get(invitation.officeId);
    const account = await this.users.findById(invitation.userId);
    return {
      email: invitation.email,
      name: account?.name ?? '',
      officeName: office.name,
      networkName: this.networks.getNetwork(office.networkId).name,
      expiresAt: invitation.expiresAt,
    };
  }

  /** Sets the password through the link; the link is dead afterwards. Returns the account, ready to log in. */
  async accept(token: string, password: string, origin: RequestOrigin | null): Promise<Account> {
    const userId = await this.transactions.run(async (manager) => {
      const invitation = await this.usable(await this.repository.invitationByHash(sha256Hex(String(token)), manager, true));
      await this.users.setPassword(manager, invitation.userId, password);
      await this.repository.markUsed(manager, invitation.id);
      await this.audit.record(
        { action: 'invitation_accepted', email: invitation.email, target: { type: 'user', id: invitation.userId }, origin },
        manager,
      );
      return invitation.userId;
    });
    return (await this.users.findById(userId))!;
  }

  /** A manager invites a staff member of their own office to an account (role office_staff). */
  async inviteStaff(user: CurrentUser, input: { name: string; email: string }, origin: RequestOrigin | null): Promise<InvitedAccount> {
    if (user.role !== 'office_manager') throw new DomainError('FORBIDDEN', '職員の招待は事業所の管理者が行います');
    const dto = plainToInstance(InviteStaffDto, { ...input });
    const errors = toFieldErrors(await validate(dto, { validationError: { target: true, value: true } }));
    if (errors.length) throw invalidRequest(errors);
    const office = await this.offices.get(user.officeId!);
    const { account, outbox } = await this.transactions.run(async (manager) => {
      const account = await this.users.createInvited(manager, {
        name: dto.name,
        email: dto.email,
        role: 'office_staff',
        officeId: office.id,
      });
      const outbox = await this.issue(manager, account, office, user);
      await this.audit.record({ action: 'user_invited', actor: user, target: { type: 'user', id: account.id }, origin }, manager);
      return { account, outbox };
    });
    await this.mail.dispatch([outbox]);
    return (await this.accounts(office.id)).find((a) => a.userId === account.id)!;
  }

  /**
   * A fresh link for an account that has not set its password yet (the old one expired or was lost): by the
   * office's manager for its accounts, or by the network's 事務局 for an office of its network.
   */
  async resend(user: CurrentUser, userId: string, origin: RequestOrigin | null): Promise<InvitedAccount> {
    const found = isUuid(userId) ? await this.users.findById(userId) : null;
    const officeOf = found?.officeId ? await this.offices.get(found.officeId) : null;
    const { account, office } = await requireInTenancy(this.audit, user, found && officeOf ? { account: found, office: officeOf } : null, {
      target: { type: 'user', id: userId },
      covers: ({ office }) =>
        (user.role === 'office_manager' && user.officeId === office.id) ||
        (user.role === 'secretariat' && user.networkId === office.networkId),
      origin,
      missing: 'アカウントが見つかりません',
    });
    const latest = (await this.repository.latestInvitations([account.id])).get(account.id);
    if (!latest || latest.usedAt) throw new DomainError('INVALID_STATE', `${account.name}さんは既にパスワードを設定しています`);
    const outbox = await this.transactions.run(async (manager) => {
      const queued = await this.issue(manager, account, office, user);
      await this.audit.record({ action: 'invitation_resent', actor: user, target: { type: 'user', id: account.id }, origin }, manager);
      return queued;
    });
    await this.mail.dispatch([outbox]);
    return (await this.accounts(office.id)).find((a) => a.userId === account.id)!;
  }

  /** The office's accounts and where each one's invitation stands (the manager's page, the 事務局's application page). */
  async accounts(officeId: string): Promise<InvitedAccount[]> {
    const accounts = await this.users.ofOffice(officeId);
    const latest = await this.repository.latestInvitations(accounts.map((a) => a.id));
    return accounts.map((a) => {
      const invitation = latest.get(a.id);
      return {
        userId: a.id,
        email: a.email,
        name: a.name,
        role: a.role,
        state: invitation ? stateOf(invitation) : null,
        expiresAt: invitation?.expiresAt ?? null,
      };
    });
  }

  /** The office user's own office's accounts. */
  ofOwnOffice(user: CurrentUser): Promise<InvitedAccount[]> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '事業所の職員だけが使えます');
    return this.accounts(user.officeId);
  }

  private async usable(invitation: InvitationEntity | null): Promise<InvitationEntity> {
    if (!invitation || invitation.revokedAt)
      throw new DomainError(
        'LINK_INVALID',
        'この招待リンクは使えません。新しい招待メールが届いている場合は、そちらのリンクをお使いください',
      );
    if (invitation.usedAt) throw new DomainError('LINK_INVALID', 'この招待リンクは使用済みです。設定したパスワードでログインしてください');
    if (invitation.expiresAt.getTime() < Date.now())
      throw new DomainError(
        'LINK_EXPIRED',
        `この招待リンクは有効期限（${formatJst(invitation.expiresAt)}）が切れています。事務局または事業所の管理者に再送を依頼してください`,
      );
    return invitation;
  }
}

function stateOf(invitation: InvitationEntity): InvitedAccount['state'] {
  if (invitation.usedAt) return 'accepted';
  return invitation.expiresAt.getTime() < Date.now() ? 'expired' : 'pending';
}
