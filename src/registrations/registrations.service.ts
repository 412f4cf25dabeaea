import { IntegrationEvents } from '../integrations/integration-events.service';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { requireInTenancy } from '../common/auth/tenancy';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { rowsFromSource } from '../networks/prefill';
import { RegistrationLineEntity } from './registration.entities';
import { LineScope, RegistrationsRepository } from './registrations.repository';
import { KIND_LABELS, LineStatus, RegistrationKind, RegistrationLine, StaffChange, UnansweredQuestion } from './registrations.types';
import { Transactions } from '../common/database/transactions';

/** How a notice's 区分 column names each change. */
const NOTICE_ACTIONS: Record<string, RegistrationKind> = { 新規: 'add', 追加: 'add', 変更: 'change', 削除: 'delete' };

/**
 * The 事務局's registration desk: every staff change an office submits becomes a line to work off in MCS
 * (done, with the MCS ID or a note), or to ask the office about. Owners of staff changes call it inside
 * their own transactions, so no change is missed.
 */
@Injectable()
export class RegistrationsService {
  constructor(
    private readonly repository: RegistrationsRepository,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly networks: NetworksService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  /** A staff member added, changed or leaving (staff pages, API, roster, application), in the caller's transaction. */
  async staffChanged(manager: EntityManager, change: StaffChange): Promise<void> {
    const office = await this.offices.get(change.officeId, manager);
    const { id, name, nameKana, email, jobTitle } = change.staff;
    const line = await this.repository.insertLine(manager, {
      networkId: office.networkId,
      officeId: office.id,
      staffId: id,
      kind: change.kind,
      name,
      nameKana,
      email,
      jobTitle,
      source: change.source,
      documentId: null,
    });
    await this.opened(manager, line);
  }

  /** The 事務局's event for a new line: ids, the kind of change and where it came from; never the person. */
  private opened(manager: EntityManager, line: RegistrationLineEntity): Promise<void> {
    return this.events.emit(manager, {
      type: 'registration.opened',
      officeId: line.officeId,
      networkId: line.networkId,
      data: {
        registrationId: line.id,
        officeId: line.officeId,
        staffId: line.staffId,
        documentId: line.documentId,
        kind: line.kind,
        source: line.source,
        status: 'open',
        openedAt: line.createdAt.toISOString(),
      },
    });
  }

  /**
   * A staff-change notice (るるめ 別紙3, 武蔵村山 様式3…) was issued: each person it lists is a line. A person
   * whose change is already on the desk (recorded by the staff pages or a roster) gets the notice attached.
   */
  async noticeIssued(
    manager: EntityManager,
    notice: { networkId: string; officeId: string; formId: string; documentId: string; data: Record<string, unknown> },
  ): Promise<void> {
    const { form } = this.networks.getForm(notice.networkId, notice.formId);
    for (const row of rowsFromSource(form, 'changes', notice.data)) {
      if (!row.name) continue;
      const kind = NOTICE_ACTIONS[row.action ?? '新規'] ?? 'add';
      const person = { name: row.name, email: row.email };
      const same = await this.repository.sameOpenLine(manager, notice.officeId, kind, person);
      if (same) {
        await this.repository.linkDocument(manager, same.id, notice.documentId);
        continue;
      }
      const line = await this.repository.insertLine(manager, {
        networkId: notice.networkId,
        officeId: notice.officeId,
        staffId: null,
        kind,
        name: row.name,
        nameKana: row.nameKana ?? null,
        email: row.email ?? null,
        jobTitle: row.jobTitle ?? null,
        source: 'notice',
        documentId: notice.documentId,
      });
      await this.opened(manager, line);
    }
  }

  /**
   * One page of the lines the user may see (the 事務局's network, an office's own, or all for an admin), oldest
   * first (or newest first), and how many there are in all.
   */
  async page(
    user: CurrentUser,
    status: LineStatus | undefined,
    page: { limit: number; offset: number },
    order: 'oldest' | 'newest' = 'oldest',
    officeId?: string,
  ): Promise<{ lines: RegistrationLine[]; total: number }> {
    const scope = scopeOf(user);
    // One office's lines (of those the user may see: another office's are simply none).
    if (officeId && scope.officeId && scope.officeId !== officeId) return { lines: [], total: 0 };
    const [rows, total] = await this.repository.linePage(officeId ? { ...scope, officeId } : scope, status, page, order);
    return { lines: await this.named(rows), total };
  }

  /** Every line the user may see, oldest first, a batch at a time (the CSV: constant memory at any size). */
  async *each(user: CurrentUser, status: LineStatus | undefined, batch = 500): AsyncGenerator<RegistrationLine[]> {
    const scope = scopeOf(user);
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const rows = await this.repository.linesAfter(scope, status, after, batch);
      if (rows.length === 0) return;
      yield await this.named(rows);
      if (rows.length < batch) return;
      const last = rows[rows.length - 1];
      after = { createdAt: last.createdAt, id: last.id };
    }
  }

  private async named(rows: RegistrationLineEntity[]): Promise<RegistrationLine[]> {
    const names = new Map((await this.offices.named([...new Set(rows.map((r) => r.officeId))])).map((o) => [o.id, o.name]));
    return this.views(rows, names);
  }

  /** One line the user may see (its network's 事務局, its office); anything else is 404, audited. */
  async get(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<RegistrationLine> {
    const line = await this.visible(user, id, origin);
    const office = await this.offices.get(line.officeId);
    return (await this.views([line], new Map([[office.id, office.name]])))[0];
  }

  /** The 事務局 has done it in MCS: the line is closed, with the MCS ID or a note for the office. */
  async markDone(
    user: CurrentUser,
    id: string,
    input: { mcsId?: string | null; note?: string | null },
    origin: RequestOrigin | null,
  ): Promise<RegistrationLine> {
    const line = await this.visible(user, id, origin, 'secretariat');
    await this.transactions.run(async (manager) => {
      const done = { mcsId: input.mcsId?.trim() || null, note: input.note?.trim() || null, by: user.id, byName: user.name };
      if (!(await this.repository.markDone(manager, line.id, done)))
        throw new DomainError('INVALID_STATE', `${line.name}さんの${KIND_LABELS[line.kind]}は既に対応済みです`);
      const detail = { kind: line.kind, office: line.officeId, mcsId: done.mcsId };
      await this.audit.record({ action: 'registration_done', actor: user, target: { type: 'registration', id }, origin, detail }, manager);
      await this.events.emit(manager, {
        type: 'registration.done',
        officeId: line.officeId,
        data: {
          registrationId: line.id,
          officeId: line.officeId,
          staffId: line.staffId,
          kind: line.kind,
          status: 'done',
          doneAt: new Date().toISOString(),
        },
      });
    });
    return this.get(user, id, origin);
  }

  /** The 事務局 asks the office about a line; the office's managers are told by e-mail. */
  async ask(user: CurrentUser, id: string, question: string, origin: RequestOrigin | null): Promise<RegistrationLine> {
    const line = await this.visible(user, id, origin, 'secretariat');
    if (line.status !== 'open') throw new DomainError('INVALID_STATE', '対応済みの依頼には質問できません');
    const office = await this.offices.get(line.officeId);
    const managers = (await this.users.ofOffice(office.id)).filter((u) => u.role === 'office_manager');
    const outbox = await this.transactions.run(async (manager) => {
      await this.repository.insertQuestion(manager, {
        lineId: line.id,
        question: question.trim(),
        askedBy: user.id,
        askedByName: user.name,
      });
      await this.audit.record({ action: 'registration_question', actor: user, target: { type: 'registration', id }, origin }, manager);
      const queued: QueuedMail[] = [];
      for (const to of managers) {
        const message = this.mail.compose(office.networkId, 'registration-question', {
          networkName: this.networks.getNetwork(office.networkId).name,
          officeName: office.name,
          recipientName: to.name,
          personName: line.name,
          kindLabel: KIND_LABELS[line.kind],
          question: question.trim(),
        });
        queued.push(await this.mail.enqueue(manager, { kind: 'registration-question', to: to.email, ...message }));
      }
      return queued;
    });
    await this.mail.dispatch(outbox);
    return this.get(user, id, origin);
  }

  /** The office answers the 事務局's open question about one of its lines. */
  async answer(user: CurrentUser, id: string, answer: string, origin: RequestOrigin | null): Promise<RegistrationLine> {
    const line = await this.visible(user, id, origin, 'office');
    await this.transactions.run(async (manager) => {
      const pending = await this.repository.pendingQuestion(manager, line.id);
      if (!pending) throw new DomainError('INVALID_STATE', '回答を待っている質問はありません');
      await this.repository.answer(manager, pending.id, { text: answer.trim(), by: user.id, byName: user.name });
      await this.audit.record({ action: 'registration_answered', actor: user, target: { type: 'registration', id }, origin }, manager);
    });
    return this.get(user, id, origin);
  }

  /** The office's questions still unanswered (a follow-up lists them). */
  async unansweredQuestions(officeId: string): Promise<UnansweredQuestion[]> {
    return this.repository.unanswered(officeId);
  }

  /** Per office of the network: open lines and those waiting for the office's answer (the 事務局's matrix). */
  openCounts(networkId: string, officeIds?: string[]): Promise<Map<string, { open: number; awaitingAnswer: number }>> {
    return this.repository.openCounts(networkId, officeIds);
  }

  private async visible(
    user: CurrentUser,
    id: string,
    origin: RequestOrigin | null,
    side?: 'secretariat' | 'office',
  ): Promise<RegistrationLineEntity> {
    return requireInTenancy(this.audit, user, await this.repository.line(id), {
      target: { type: 'registration', id },
      covers: (line) =>
        side === 'office'
          ? isOfficeUser(user) && line.officeId === user.officeId
          : side === 'secretariat'
            ? user.role === 'secretariat' && line.networkId === user.networkId
            : user.role === 'admin' ||
              (user.role === 'secretariat' && line.networkId === user.networkId) ||
              (isOfficeUser(user) && line.officeId === user.officeId),
      origin,
      missing: '登録依頼が見つかりません',
    });
  }

  /** Lines as the desk and the office show them: with their office's name and their questions (one query for all). */
  private async views(lines: RegistrationLineEntity[], names: Map<string, string>): Promise<RegistrationLine[]> {
    const questions = await this.repository.questionsOf(lines.map((l) => l.id));
    return lines.map((line) => {
      const own = questions
        .filter((q) => q.lineId === line.id)
        .map(({ id, question, askedByName, askedAt, answer, answeredByName, answeredAt }) => ({
          id,
          question,
          askedByName,
          askedAt,
          answer,
          answeredByName,
          answeredAt,
        }));
      const { doneBy: _doneBy, createdAt, ...rest } = line;
      return {
        ...rest,
        officeName: names.get(line.officeId) ?? '',
        submittedAt: createdAt,
        questions: own,
        awaitingAnswer: own.length > 0 && own[own.length - 1].answeredAt === null,
      };
    });
  }
}

/** Whose lines the user sees: the 事務局 its network's, an office its own, an admin all. */
function scopeOf(user: CurrentUser): LineScope {
  return user.role === 'secretariat' ? { networkId: user.networkId! } : isOfficeUser(user) ? { officeId: user.officeId } : {};
}
