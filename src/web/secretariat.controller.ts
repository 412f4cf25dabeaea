import { Body, Controller, Get, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { RequestOrigin } from '../common/request-origin';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { CELL_LABELS, CELL_STATUSES, SecretariatDashboardService } from '../dashboards/secretariat-dashboard.service';
import { SecretariatMatrixService } from '../dashboards/secretariat-matrix.service';
import { FollowUpsService } from '../follow-ups/follow-ups.service';
import { ApplicationsService } from '../onboarding/applications.service';
import { TrainingService } from '../training/training.service';
import { NetworksService } from '../networks/networks.service';
import { MatrixPageQueryDto, filterFrom, pageOf } from '../dashboards/dto/matrix-query.dto';
import { ReceiptFormDto } from './dto/receipt-form.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** The 事務局's pages: the submission matrix and the receipt of paper originals. */
@ApiExcludeController()
@Roles('secretariat')
@Controller('secretariat')
export class SecretariatController {
  constructor(
    private readonly views: WebViews,
    private readonly dashboard: SecretariatDashboardService,
    private readonly custody: CustodyService,
    private readonly networks: NetworksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly grid: SecretariatMatrixService,
    private readonly followUps: FollowUpsService,
    private readonly training: TrainingService,
    private readonly applications: ApplicationsService,
  ) {}

  /**
   * First the network's summary, then a page of offices (the matrix) and a page of requirements, each filtered
   * and counted in the database.
   */
  @Get()
  @PageName('提出状況')
  async matrix(
    @User() user: CurrentUser,
    @Query() query: MatrixPageQueryDto,
    @Query('message') message: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const networkId = user.networkId!;
    const filter = filterFrom(query);
    const rowsPage = pageOf(query.page, query.limit, 100);
    const officesPage = pageOf(query.officePage, query.officeLimit, 100);
    const training = this.training.ruleOf(networkId);
    const [{ read, grid: matrix }, officeNames, pending] = await Promise.all([
      this.grid.overviewWithGrid(networkId, filter, rowsPage, officesPage),
      this.dashboard.officeNames(networkId),
      this.applications.list(user, 'pending'),
    ]);
    const { summary, rows: requirements, total: rowsTotal } = read;
    const officeIds = read.offices.map((o) => o.officeId);
    const [lastSent, noRecipient, untrained] = await Promise.all([
      this.followUps.lastSent(officeIds),
      this.followUps.unreachable(officeIds),
      training?.required && officeIds.length > 0 ? this.training.untrained(networkId, { officeIds }) : Promise.resolve(null),
    ]);
    const owing = matrix.rows.filter((r) => r.owed + r.overdue + r.awaitingAnswer > 0).map((r) => r.officeId);
    // Only an office that owes something is told to have nobody to follow up.
    const unreachable = new Set(owing.filter((id) => noRecipient.has(id)));
    const params = Object.entries(query).filter(([, v]) => (typeof v === 'string' && v) || typeof v === 'number') as [
      string,
      string | number,
    ][];
    const link = (changes: Record<string, number>) =>
      '/secretariat?' +
      new URLSearchParams(
        [...params.filter(([k]) => !(k in changes)), ...Object.entries(changes)].map(([k, v]) => [k, String(v)]),
      ).toString();
    this.views.send(reply, 200, 'secretariat', {
      title: '提出状況',
      message: typeof message === 'string' ? message.slice(0, 500) : null,
      networkName: this.networks.getNetwork(networkId).name,
      summary: {
        ...summary,
        states: CELL_STATUSES.map((value) => ({ value, label: CELL_LABELS[value], count: summary.counts[value] })),
      },
      offices: officeNames,
      matrix: {
        columns: matrix.columns,
        training: Boolean(training?.required),
        total: matrix.total,
        pager: pager(officesPage, matrix.rows.length, matrix.total, (page) => link({ officePage: page })),
        rows: matrix.rows.map((r) => ({
          ...r,
          lastFollowedUp: lastSent.get(r.officeId) ?? null,
          canFollowUp: owing.includes(r.officeId) && !unreachable.has(r.officeId),
          unreachable: unreachable.has(r.officeId),
        })),
      },
      untrained,
      trainingKinds: training?.kinds.join('・') ?? '',
      pendingApplications: pending.length,
      rows: requirements.map((r) => ({ ...r, statusLabel: CELL_LABELS[r.status] })),
      rowsTotal,
      rowsPager: pager(rowsPage, requirements.length, rowsTotal, (page) => link({ page })),
      statuses: CELL_STATUSES.map((value) => ({ value, label: CELL_LABELS[value], selected: value === filter.status })),
      forms: this.grid
        .columnsOf(networkId)
        .filter((c) => c.kind !== 'notice')
        .map((c) => ({ ...c, selected: c.key === filter.formId })),
      filter: { office: filter.officeId, overdue: filter.overdueOnly, q: filter.officeText ?? '' },
      overdueDays: this.config.overdueDays,
      query: new URLSearchParams(
        params.filter(([k]) => !['page', 'limit', 'officePage', 'officeLimit'].includes(k)).map(([k, v]) => [k, String(v)]),
      ).toString(),
    });
  }

  @Get('receipt')
  @PageName('原本の受領')
  receiptPage(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'receipt', { title: '原本の受領' });
  }

  /**
   * Records receipt, and says whose sheet it was (office, person, form); a second scan of the same sheet or a
   * copy says so; another network's sheet is an unknown number.
   */
  @Post('receipt')
  @PageName('原本の受領')
  @ShowFormOnError('receiptAgain', { also: ['NOT_FOUND', 'NOT_AN_ORIGINAL'] })
  async receive(
    @User() user: CurrentUser,
    @Body() body: ReceiptFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const recorded = await this.custody.record(user, body.code, 'received', { origin });
    const { exemplar } = recorded;
    const sheet = (await this.dashboard.ofOffices(user.networkId!, [exemplar.officeId])).find((r) => r.exemplarCode === exemplar.code);
    const about = sheet && `${sheet.officeName}・${sheet.formLabel}${sheet.subject.type === 'staff' ? `（${sheet.subject.name}）` : ''}`;
    const message = about ? `${about}: ${recorded.message}` : recorded.message;
    this.views.send(reply, 200, 'receipt', {
      title: '原本の受領',
      result: {
        kind: recorded.alreadyRecorded ? 'warn' : 'ok',
        message,
        // Back to the matrix at the office whose sheet this was: its row and lines show the receipt.
        officeId: exemplar.officeId,
      },
    });
  }

  /** A number not found (404) or a sheet that cannot be received (422), told on the receipt page, ready for the next scan. */
  receiptAgain(form: FormAgain): void {
    const message = form.error.code === 'INVALID_REQUEST' ? (form.errors[0]?.message ?? form.message) : form.message;
    const status = form.error.code === 'NOT_FOUND' ? 404 : 422;
    this.views.send(form.reply, status, 'receipt', { title: '原本の受領', result: { kind: 'error', message } });
  }
}

/** Where a page of a list is, and the links to its neighbours (null at either end). */
function pager(at: { page: number; limit: number; offset: number }, shown: number, total: number, href: (page: number) => string) {
  const pages = Math.max(1, Math.ceil(total / at.limit));
  return {
    first: shown > 0 ? at.offset + 1 : 0,
    last: at.offset + shown,
    total,
    page: at.page,
    pages,
    previous: at.page > 1 ? href(Math.min(at.page - 1, pages)) : null,
    next: at.page < pages ? href(at.page + 1) : null,
  };
}
