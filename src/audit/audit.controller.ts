import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../accounts/current-user';
import { toExcelCsv } from '../common/csv';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Roles('admin')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first (admin)' })
  list(@Query('action') action?: string, @Query('limit') limit?: string, @Query('before') before?: string) {
    return this.audit.list({
      action: action || undefined,
      limit: clampLimit(limit),
      before: /^\d+$/.test(before ?? '') ? before : undefined,
    });
  }

  @Get('export.csv')
  @ApiProduces('text/csv')
  async csv(@Query('action') action: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const events = await this.audit.list({ action: action || undefined, limit: 100_000 });
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

function clampLimit(limit?: string): number {
  const n = Number(limit);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : 200;
}
