import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../accounts/current-user';
import { toExcelCsv } from '../common/csv';
import { DomainError } from '../common/errors/domain-error';
import { MatrixQueryDto } from './dto/matrix-query.dto';
import { CELL_LABELS, SecretariatDashboardService } from './secretariat-dashboard.service';
import { OfficeDashboardService } from './office-dashboard.service';
import { SecretariatMatrixService } from './secretariat-matrix.service';

@ApiTags('dashboards')
@Controller('api/dashboard')
export class DashboardsController {
  constructor(
    private readonly secretariat: SecretariatDashboardService,
    private readonly office: OfficeDashboardService,
    private readonly grid: SecretariatMatrixService,
  ) {}

  @Get('secretariat')
  @Roles('secretariat', 'admin')
  @ApiOperation({
    summary:
      '事務局: offices × required forms, with where each original is (filters: office, status, overdue=1); ' +
      '`matrix`: one row per office, a cell per required form kind, the latest staff-change notice, open registrations',
  })
  async matrix(@User() user: CurrentUser, @Query() query: MatrixQueryDto) {
    const network = networkFor(user, query.network);
    const rows = await this.secretariat.requirements(network, filterFrom(query));
    const matrix = await this.grid.matrix(network, { officeId: query.office || undefined });
    return { offices: this.secretariat.summarize(rows), requirements: rows, matrix };
  }

  @Get('secretariat.csv')
  @Roles('secretariat', 'admin')
  @ApiProduces('text/csv')
  async csv(@User() user: CurrentUser, @Query() query: MatrixQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const network = networkFor(user, query.network);
    const rows = await this.secretariat.requirements(network, filterFrom(query));
    const csv = toExcelCsv([
      ['事業所', '対象', '様式', '状態', '日付', '期限超過', '書類番号'],
      ...rows.map((r) => [
        r.officeName,
        r.subject.name,
        r.formLabel,
        CELL_LABELS[r.status],
        r.date,
        r.overdue ? '超過' : '',
        r.exemplarCode ?? r.documentNumber,
      ]),
    ]);
    reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${network}-submissions.csv"`).send(csv);
  }

  @Get('office')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: 'Office: its documents, what it still owes the 事務局, its copies' })
  officeDashboard(@User() user: CurrentUser) {
    return this.office.forOffice(user);
  }
}

function networkFor(user: CurrentUser, requested?: string): string {
  if (user.role === 'secretariat') return user.networkId!;
  if (!requested)
    throw new DomainError('INVALID_REQUEST', 'ネットワークを指定してください', {
      errors: [{ path: 'network', label: 'ネットワーク', message: 'ネットワークを指定してください' }],
    });
  return requested;
}

function filterFrom(query: MatrixQueryDto) {
  return { officeId: query.office || undefined, status: query.status || undefined, overdueOnly: query.overdue === '1' };
}
