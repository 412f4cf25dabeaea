import { Injectable } from '@nestjs/common';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';
import { parseIsoDate, todayInJapan } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { TrainingRule } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { TrainingRepository } from './training.repository';
import { TrainingRecord, UntrainedStaff } from './training.types';

/**
 * Training before use, where a network's catalogue asks for it (武蔵村山 第12条3): 研修会 or its video): the
 * office records each staff member's attendance; the 事務局 sees who is on a roster but untrained.
 */
@Injectable()
export class TrainingService {
  constructor(
    private readonly repository: TrainingRepository,
    private readonly transactions: Transactions,
    private readonly people: PeopleService,
    private readonly offices: OfficesService,
    private readonly networks: NetworksService,
    private readonly audit: AuditService,
  ) {}

  /** The network's training rule, or null when it asks for none. */
  ruleOf(networkId: string): TrainingRule | null {
    return this.networks.getNetwork(networkId).training ?? null;
  }

  /** Records that one of the office's staff attended (on a date, one of the network's kinds). */
  async record(
    user: CurrentUser,
    staffId: string,
    input: { date: string; kind: string },
    origin: RequestOrigin | null,
  ): Promise<TrainingRecord> {
    const staff = await this.people.getStaff(user, staffId, origin);
    const office = await this.offices.get(staff.officeId);
    const rule = this.ruleOf(office.networkId);
    if (!rule) throw new DomainError('INVALID_STATE', `${this.networks.getNetwork(office.networkId).name}には研修の定めはありません`);
    const errors: Array<{ path: string; label: string; message: string }> = [];
    if (!rule.kinds.includes(input.kind))
      errors.push({ path: 'kind', label: '研修の種類', message: `研修の種類は次のいずれかです: ${rule.kinds.join('、')}` });
    try {
      parseIsoDate(input.date);
      if (input.date > todayInJapan()) errors.push({ path: 'date', label: '受講日', message: '受講日に先の日付は指定できません' });
    } catch {
      errors.push({ path: 'date', label: '受講日', message: '受講日は実在する日付を YYYY-MM-DD で入力してください' });
    }
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });
    return this.transactions.run(async (manager) => {
      const saved = await this.repository.insert(manager, {
        officeId: office.id,
        staffId: staff.id,
        kind: input.kind,
        attendedOn: input.date,
        recordedBy: user.id,
        recordedByName: user.name,
      });
      const detail = { staff: staff.id, kind: input.kind, date: input.date };
      await this.audit.record(
        { action: 'training_recorded', actor: user, target: { type: 'staff_member', id: staff.id }, origin, detail },
        manager,
      );
      return saved;
    });
  }

  /** Each staff member's latest attendance, for offices (by staff id). */
  latestOf(officeIds: string[]): Promise<Map<string, TrainingRecord>> {
    return this.repository.latestOf(officeIds);
  }

  /** Everyone on an active roster of the network with no attendance recorded, where the network requires training. */
  async untrained(networkId: string, options: { officeId?: string; officeIds?: string[] } = {}): Promise<UntrainedStaff[]> {
    if (!this.ruleOf(networkId)?.required) return [];
    const offices = (await this.offices.inNetwork(networkId, { officeId: options.officeId })).filter(
      (o) => !options.officeIds || options.officeIds.includes(o.id),
    );
    const names = new Map(offices.map((o) => [o.id, o.name]));
    const staff = await this.people.activeStaffOf(offices.map((o) => o.id));
    const trained = await this.latestOf(offices.map((o) => o.id));
    return staff
      .filter((s) => !trained.has(s.id))
      .map((s) => ({
        officeId: s.officeId,
        officeName: names.get(s.officeId) ?? '',
        staffId: s.id,
        name: s.name,
        jobTitle: s.jobTitle,
        since: s.createdAt,
      }));
  }
}
