import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { AUDIT_ACTION_LABELS, AUDIT_TARGET_LABELS, auditActionLabel } from '../audit/audit.types';
import { toExcelCsv } from '../common/csv';
import { formatJst } from '../common/japan-date';
import { DocumentHeadersService } from '../documents/document-headers.service';
import { PeopleService } from '../people/people.service';
import { AuditFilterDto } from './dto/audit-filter.dto';
import { checkQuery, messagesByField, pagingOf } from './query-filter';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

type AuditEvent = Awaited<ReturnType<AuditService['search']>>['events'][number];

const PAGE_SIZE = 50;
const MAX_CSV_ROWS = 100_000;

/** The admin's audit log: Japanese labels and names, filters (who, what, when), paging, CSV for Excel. */
@ApiExcludeController()
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(
    private readonly views: WebViews,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly offices: OfficesService,
    private readonly documents: DocumentHeadersService,
    private readonly people: PeopleService,
  ) {}

  @Get('audit')
  @PageName('監査ログ')
  async auditLog(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { values, input, errors } = checkQuery(AuditFilterDto, query, { from: 'from', to: 'to' });
    const filter = { who: values.who, action: values.action, from: values.from, to: values.to };
    const requested = Number(values.page ?? 1);
    let result = await this.audit.search(filter, { offset: (requested - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const paging = pagingOf(requested, result.total, PAGE_SIZE, filter, '/admin/audit');
    if (paging.page !== requested) result = await this.audit.search(filter, { offset: paging.offset, limit: PAGE_SIZE });
    const csvQuery = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]).toString();
    this.views.send(reply, errors.length ? 400 : 200, 'audit', {
      title: '監査ログ',
      events: await this.describe(result.events),
      paging,
      input,
      errors,
      error: messagesByField(errors),
      actions: Object.entries(AUDIT_ACTION_LABELS).map(([value, label]) => ({ value, label, selected: value === input.action })),
      csvUrl: `/admin/audit.csv${csvQuery ? `?${csvQuery}` : ''}`,
    });
  }

  /** The same filters as the page, every matching event (up to 100,000): UTF-8 with a BOM, so Excel opens it. */
  @Get('audit.csv')
  @PageName('監査ログのCSV')
  async auditCsv(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { values } = checkQuery(AuditFilterDto, query, { from: 'from', to: 'to' });
    const { events } = await this.audit.search(
      { who: values.who, action: values.action, from: values.from, to: values.to },
      { offset: 0, limit: MAX_CSV_ROWS },
    );
    const rows = await this.describe(events);
    const csv = toExcelCsv([
      ['日時', '操作', '操作コード', '利用者', 'メールアドレス', '対象', '対象の種類', '対象ID', '接続元', 'ユーザーエージェント', '詳細'],
      ...rows.map((e) => [
        formatJst(e.at, { seconds: true }),
        e.actionLabel,
        e.action,
        e.userName,
        e.userEmail,
        e.targetName,
        e.targetLabel,
        e.targetId,
        e.ip,
        e.userAgent,
        e.detail ? JSON.stringify(e.detail) : '',
      ]),
    ]);
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="audit-log.csv"')
      .header('Cache-Control', 'no-store')
      .send(csv);
  }

  /** Each event with its action in Japanese and, where one can be found, the names of who did it and what it was about. */
  private async describe(events: AuditEvent[]) {
    const idsOf = (type: string) => [...new Set(events.filter((e) => e.targetType === type && e.targetId).map((e) => e.targetId!))];
    const userIds = [...new Set([...events.map((e) => e.userId).filter((id): id is string => Boolean(id)), ...idsOf('user')])];
    const [users, documents, patients, offices, staff] = await Promise.all([
      this.users.findByIds(userIds),
      this.documents.labels(idsOf('document')),
      this.people.patientsByIds(idsOf('patient')),
      Promise.all(idsOf('office').map((id) => this.offices.get(id).catch(() => null))),
      Promise.all(idsOf('staff_member').map((id) => this.people.findStaff(id))),
    ]);
    const names = new Map<string, string>([
      ...users.map((u) => [u.id, u.name] as [string, string]),
      ...documents.entries(),
      ...patients.map((p) => [p.id, `${p.name}`] as [string, string]),
      ...offices.filter((o) => o !== null).map((o) => [o.id, o.name] as [string, string]),
      ...staff.filter((s) => s !== null).map((s) => [s.id, s.name] as [string, string]),
    ]);
    return events.map((e) => {
      const code = typeof e.detail?.code === 'string' ? e.detail.code : null;
      const targetName = (e.targetId && names.get(e.targetId)) || (e.targetType === 'exemplar' ? code : null);
      return {
        ...e,
        actionLabel: auditActionLabel(e.action),
        userName: e.userId ? (names.get(e.userId) ?? null) : null,
        targetLabel: e.targetType ? (AUDIT_TARGET_LABELS[e.targetType] ?? e.targetType) : null,
        targetName,
      };
    });
  }
}
