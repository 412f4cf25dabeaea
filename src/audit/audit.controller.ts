import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../common/auth/current-user';
import { toExcelCsv } from '../common/csv';
import { AuditService } from './audit.service';
import { AuditExportQueryDto, AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@Roles('admin')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first (admin)' })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list({ action: query.action || undefined, limit: query.limit || 200, before: query.before || undefined });
  }

  @Get('export.csv')
  @ApiProduces('text/csv')
  async csv(@Query() query: AuditExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const events = await this.audit.list({ action: query.action || undefined, limit: 100_000 });
    const csv = toExcelCsv([
      ['日時', '操作', '利用者', '対象', '対象ID', '接続元', 'ユーザーエージェント', '詳細'],
      ...events.map((e) => [
        e.at.toISOString(),
        e.action,
        e.userEmail,
        e.targetType,
        e.targetId,
        e.ip,
        e.userAgent,
        e.detail ? JSON.stringify(e.detail) : '',
      ]),
    ]);
    reply.type('text/csv; charset=utf-8').header('Content-Disposition', 'attachment; filename="audit-log.csv"').send(csv);
  }
}
