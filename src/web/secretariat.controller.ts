import { Body, Controller, Get, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../accounts/current-user';
import { RequestOrigin } from '../common/request-origin';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { CELL_LABELS, CELL_STATUSES, SecretariatDashboardService, filterRequirements } from '../dashboards/secretariat-dashboard.service';
import { SecretariatMatrixService } from '../dashboards/secretariat-matrix.service';
import { FollowUpsService } from '../follow-ups/follow-ups.service';
import { ApplicationsService } from '../onboarding/applications.service';
import { TrainingService } from '../training/training.service';
import { NetworksService } from '../networks/networks.service';
import { MatrixQueryDto } from '../dashboards/dto/matrix-query.dto';
import { ReceiptFormDto } from './dto/receipt-form.dto';
import { WebViews } from './web.views';

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

  @Get()
  async matrix(
    @User() user: CurrentUser,
    @Query() query: MatrixQueryDto,
    @Query('message') message: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const filter = {
      officeId: query.office || undefined,
      status: query.status || undefined,
      overdueOnly: query.overdue === '1',
    };
    const everything = await this.dashboard.requirements(user.networkId!);
    const rows = filterRequirements(everything, filter);
    const matrix = await this.grid.matrix(user.networkId!, { officeId: filter.officeId });
    const lastSent = await this.followUps.lastSent(matrix.rows.map((r) => r.officeId));
    const owing = matrix.rows.filter((r) => r.owed + r.overdue + r.awaitingAnswer > 0).map((r) => r.officeId);
    const unreachable = await this.followUps.unreachable(owing);
    const training = this.training.ruleOf(user.networkId!);
    this.views.send(reply, 200, 'secretariat', {
      title: '提出状況',
      message: typeof message === 'string' ? message.slice(0, 500) : null,
      networkName: this.networks.getNetwork(user.networkId!).name,
      offices: this.dashboard.summarize(everything),
      matrix: {
        columns: matrix.columns,
        training: Boolean(training?.required),
        rows: matrix.rows.map((r) => ({
          ...r,
          lastFollowedUp: lastSent.get(r.officeId) ?? null,
          canFollowUp: owing.includes(r.officeId) && !unreachable.has(r.officeId),
          unreachable: unreachable.has(r.officeId),
        })),
      },
      untrained: training?.required ? await this.training.untrained(user.networkId!, { officeId: filter.officeId }) : null,
      trainingKinds: training?.kinds.join('・') ?? '',
      pendingApplications: (await this.applications.list(user, 'pending')).length,
      rows: rows.map((r) => ({ ...r, statusLabel: CELL_LABELS[r.status] })),
      statuses: CELL_STATUSES.map((value) => ({ value, label: CELL_LABELS[value], selected: value === filter.status })),
      filter: { office: filter.officeId, overdue: filter.overdueOnly },
      overdueDays: this.config.overdueDays,
      query: new URLSearchParams(Object.entries(query).filter(([, v]) => typeof v === 'string' && v) as [string, string][]).toString(),
    });
  }

  @Get('receipt')
  receiptPage(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'receipt', { title: '原本の受領' });
  }

  /**
   * Records receipt, and says whose sheet it was (office, person, form); a second scan of the same sheet or a
   * copy says so; another network's sheet is an unknown number.
   */
  @Post('receipt')
  @ShowFormOnError('receiptAgain', { also: ['NOT_FOUND', 'NOT_AN_ORIGINAL'] })
  async receive(
    @User() user: CurrentUser,
    @Body() body: ReceiptFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const recorded = await this.custody.record(user, body.code, 'received', { origin });
    const { exemplar } = recorded;
    const sheet = (await this.dashboard.requirements(user.networkId!, { officeId: exemplar.officeId })).find(
      (r) => r.exemplarCode === exemplar.code,
    );
    const about = sheet && `${sheet.officeName}・${sheet.formLabel}${sheet.subject.type === 'staff' ? `（${sheet.subject.name}）` : ''}`;
    const message = about ? `${about}: ${recorded.message}` : recorded.message;
    this.views.send(reply, 200, 'receipt', { title: '原本の受領', result: { kind: recorded.alreadyRecorded ? 'warn' : 'ok', message } });
  }

  /** A number not found (404) or a sheet that cannot be received (422), told on the receipt page, ready for the next scan. */
  receiptAgain(form: FormAgain): void {
    const message = form.error.code === 'INVALID_REQUEST' ? (form.errors[0]?.message ?? form.message) : form.message;
    const status = form.error.code === 'NOT_FOUND' ? 404 : 422;
    this.views.send(form.reply, status, 'receipt', { title: '原本の受領', result: { kind: 'error', message } });
  }
}
