import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionToken } from '../accounts/auth.guard';
import { Public } from '../accounts/current-user';
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
    reply.status(status === 'ok' ? 200 : 503).send(admin ? { status, reasons, checks } : { status, reasons });
  }

  @Get('live')
  @ApiOperation({ summary: 'The API process answers (for load balancers and container checks: never depends on Redis or the worker)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
