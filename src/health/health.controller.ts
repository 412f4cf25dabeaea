import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionToken } from '../accounts/auth.guard';
import { Public } from '../common/auth/current-user';
import { SessionsService } from '../accounts/sessions.service';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly service: HealthService,
    private readonly sessions: SessionsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'ok, or degraded (503) with the reasons: database or Redis down, no live worker, a stuck batch, due work not queued',
    description: 'Anyone sees the status and the reason codes; a logged-in admin also sees each check in detail.',
  })
  async health(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const report = await this.service.report();
    const token = sessionToken(request);
    const admin = token ? (await this.sessions.resolve(token).catch(() => null))?.user.role === 'admin' : false;
    const { status, reasons, checks } = report;
    const code = status === 'ok' ? 200 : 503;
    // A person following the page footer's link reads a page; monitors (no text/html in Accept) get the JSON.
    if (/\btext\/html\b/.test(request.headers.accept ?? ''))
      reply.status(code).type('text/html; charset=utf-8').send(statusPage(status, reasons));
    else reply.status(code).send(admin ? { status, reasons, checks } : { status, reasons });
  }

  @Get('live')
  @ApiOperation({ summary: 'The API process answers (for load balancers and container checks: never depends on Redis or the worker)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/** The status as a page: 稼働中, or 一部停止中 with the reason codes. */
function statusPage(status: string, reasons: string[]): string {
  const ok = status === 'ok';
  const list = reasons.map((r) => `<li><code>${r.replace(/[^a-z_]/g, '')}</code></li>`).join('');
  return (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>稼働状況 | 連携様式サービス</title><link rel="stylesheet" href="/assets/app.css"></head><body><main>' +
    `<h1>稼働状況</h1><p>${ok ? '正常に稼働しています。' : '一部の機能が停止しています。しばらく待ってからもう一度お試しください。'}</p>` +
    (list ? `<ul>${list}</ul>` : '') +
    '<p><a href="/">トップへ戻る</a></p></main></body></html>'
  );
}
