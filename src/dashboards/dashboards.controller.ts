import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Readable } from 'node:stream';
import { excelCsvChunks } from '../common/csv';
import { DomainError } from '../common/errors/domain-error';
import { MatrixPageQueryDto, filterFrom, pageOf } from './dto/matrix-query.dto';
import { CELL_LABELS, MAX_PAGE_SIZE, SecretariatDashboardService } from './secretariat-dashboard.service';
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
      '事務局: offices × required forms, with where each original is (filters: office, q (name or id), status, overdue=1, form). ' +
      '`summary`: the counts of the whole (filtered) network; `requirements`: one page (`page`, `limit`, at most ' +
      `${MAX_PAGE_SIZE}) of the rows, one per form and person, with \`total\`; \`matrix\`: one page (\`officePage\`, ` +
      `\`officeLimit\`, at most ${MAX_PAGE_SIZE}) of offices, a cell per required form kind, with \`matrix.total\`; ` +
      '`offices`: the counts of the offices on that page',
  })
  async matrix(@User() user: CurrentUser, @Query() query: MatrixPageQueryDto) {
    const network = networkFor(user, query.network);
    const filter = filterFrom(query);
    const rowsPage = pageOf(query.page, query.limit, 100);
    const officesPage = pageOf(query.officePage, query.officeLimit, 100);
    const { read, grid: matrix } = await this.grid.overviewWithGrid(network, filter, rowsPage, officesPage);
    const { offices, ...grid } = matrix;
    return {
      summary: read.summary,
      offices,
      requirements: read.rows,
      total: read.total,
      page: rowsPage.page,
      limit: rowsPage.limit,
      next: rowsPage.offset + read.rows.length < read.total ? rowsPage.page + 1 : null,
      matrix: { ...grid, page: officesPage.page, limit: officesPage.limit },
    };
  }

  /** Every matching requirement, streamed a batch at a time: the same memory for ten rows or a million. */
  @Get('secretariat.csv')
  @Roles('secretariat', 'admin')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: '事務局: every matching requirement as Excel-ready CSV (streamed; no page size)' })
  csv(@User() user: CurrentUser, @Query() query: MatrixPageQueryDto, @Res() reply: FastifyReply): void {
    const network = networkFor(user, query.network);
    const secretariat = this.secretariat;
    async function* rows() {
      for await (const batch of secretariat.each(network, filterFrom(query)))
        yield batch.map((r) => [
          r.officeName,
          r.subject.name,
          r.formLabel,
          CELL_LABELS[r.status],
          r.date,
          r.overdue ? '超過' : '',
          r.exemplarCode ?? r.documentNumber,
        ]);
    }
    const chunks = excelCsvChunks(['事業所', '対象', '様式', '状態', '日付', '期限超過', '書類番号'], rows());
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${network}-submissions.csv"`)
      .send(Readable.from(chunks));
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
