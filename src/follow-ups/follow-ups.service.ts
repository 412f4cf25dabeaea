import { Injectable } from '@nestjs/common';
import { Office } from '../accounts/accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { requireInTenancy } from '../common/auth/tenancy';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';
import { formatJst, toSeireki, todayInJapan } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { CELL_LABELS, SecretariatDashboardService } from '../dashboards/secretariat-dashboard.service';
import { SecretariatMatrixService } from '../dashboards/secretariat-matrix.service';
import { MailService } from '../mail/mail.service';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { KIND_LABELS } from '../registrations/registrations.types';
import { RegistrationsService } from '../registrations/registrations.service';
import { FollowUpsRepository } from './follow-ups.repository';
import { FollowUp, OwedItems } from './follow-ups.types';

/** Cells whose form has not reached the 事務局 in any way yet (an e-signed one has; one in the post is on its way). */
const NOT_SUBMITTED = new Set(['missing', 'draft', 'issued', 'signed']);

/**
 * One click from the dashboard: the 事務局 mails an office exactly what it still owes (missing forms, overdue
 * originals, unanswered questions) through the outbox; the office's row shows when it was last followed up.
 */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly repository: FollowUpsRepository,
    private readonly transactions: Transactions,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly people: PeopleService,
    private readonly dashboard: SecretariatDashboardService,
    private readonly matrix: SecretariatMatrixService,
    private readonly registrations: RegistrationsService,
    private readonly networks: NetworksService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  /** What the office owes, as the mail will list it: what the 事務局's matrix counts, the latest notice included. */
  async owed(office: Office): Promise<OwedItems> {
    const requirements = await this.dashboard.requirements(office.networkId, { officeId: office.id });
    const about = (r: (typeof requirements)[number]) => (r.subject.type === 'staff' ? `（${r.subject.name}）` : '');
    const notice = await this.matrix.owedNotice(office);
    const noticeStatus = notice?.cell.status;
    return {
      missing: [
        ...requirements.filter((r) => NOT_SUBMITTED.has(r.status)).map((r) => `${r.formLabel}${about(r)}: ${CELL_LABELS[r.status]}`),
        ...(noticeStatus && NOT_SUBMITTED.has(noticeStatus) ? [`${notice.label}（最新）: ${CELL_LABELS[noticeStatus]}`] : []),
      ],
      overdue: requirements
        .filter((r) => r.status === 'in_transit' && r.overdue)
        .map(
          (r) =>
            `${r.formLabel}${about(r)}: ${r.date ? toSeireki(r.date) : ''}に郵送済みとのことですが、まだ届いていません（${r.exemplarCode}）`,
        )
        .concat(
          notice?.cell.overdue && noticeStatus === 'in_transit'
            ? [
                `${notice.label}（最新）: ${notice.cell.date ? toSeireki(notice.cell.date) : ''}に郵送済みとのことですが、まだ届いていません`,
              ]
            : [],
        ),
      questions: (await this.registrations.unansweredQuestions(office.id)).map(
        (q) => `${q.name}さんの${KIND_LABELS[q.kind]}について（${formatJst(q.askedAt)}）: ${q.question}`,
      ),
    };
  }

  /** Sends the office its follow-up (its managers, in one mail); refused when it owes nothing or has no address. */
  async send(user: CurrentUser, officeId: string, origin: RequestOrigin | null): Promise<FollowUp> {
    const office = await this.officeOf(user, officeId, origin);
    const items = await this.owed(office);
    if (items.missing.length + items.overdue.length + items.questions.length === 0)
      throw new DomainError('INVALID_STATE', `${office.name}に督促する書類・質問はありません`);
    const recipients = await this.recipientsOf(office.id);
    if (recipients.length === 0)
      throw new DomainError('INVALID_STATE', `${office.name}には督促メールの宛先（管理者のアカウントまたはメールアドレス）がありません`);
    const network = this.networks.getNetwork(office.networkId);
    const { saved, outbox } = await this.transactions.run(async (manager) => {
      const saved = await this.repository.insert(manager, {
        officeId: office.id,
        networkId: office.networkId,
        sentBy: user.id,
        sentByName: user.name,
        recipients,
        items,
      });
      const message = this.mail.compose(office.networkId, 'follow-up', {
        networkName: network.name,
        secretariatName: network.secretariat.name,
        officeName: office.name,
        today: toSeireki(todayInJapan()),
        ...items,
      });
      const outbox = await this.mail.enqueue(manager, { kind: 'follow-up', to: recipients.join(', '), ...message });
      const detail = { recipients, missing: items.missing.length, overdue: items.overdue.length, questions: items.questions.length };
      await this.audit.record(
        { action: 'office_followed_up', actor: user, target: { type: 'office', id: office.id }, origin, detail },
        manager,
      );
      return { saved, outbox };
    });
    await this.mail.dispatch([outbox]);
    return saved;
  }

  /** Who receives an office's follow-up: its managers' accounts, else the manager on its staff roster (if it has an address). */
  async recipientsOf(officeId: string): Promise<string[]> {
    const managers = (await this.users.ofOffice(officeId)).filter((u) => u.role === 'office_manager').map((u) => u.email);
    if (managers.length) return managers;
    const rosterManager = (await this.people.managerOf(officeId))?.email;
    return rosterManager ? [rosterManager] : [];
  }

  /** The offices (of those given) that nobody of would receive a follow-up: the matrix says so instead of a button. */
  async unreachable(officeIds: string[]): Promise<Set<string>> {
    const [withAccount, rosterManagers] = await Promise.all([
      this.users.officesWithManagerAccount(officeIds),
      this.people.managersOf(officeIds),
    ]);
    return new Set(officeIds.filter((id) => !withAccount.has(id) && !rosterManagers.get(id)?.email));
  }

  /** The office's follow-ups, newest first. */
  async history(user: CurrentUser, officeId: string, origin: RequestOrigin | null): Promise<FollowUp[]> {
    const office = await this.officeOf(user, officeId, origin);
    return this.repository.ofOffice(office.id);
  }

  /** When each office was last followed up (the 事務局's matrix). */
  lastSent(officeIds: string[]): Promise<Map<string, Date>> {
    return this.repository.lastSent(officeIds);
  }

  private async officeOf(user: CurrentUser, officeId: string, origin: RequestOrigin | null): Promise<Office> {
    return requireInTenancy(this.audit, user, isUuid(officeId) ? await this.offices.find(officeId) : null, {
      target: { type: 'office', id: officeId },
      covers: (office) => user.role === 'secretariat' && office.networkId === user.networkId,
      origin,
      missing: '事業所が見つかりません',
    });
  }
}
