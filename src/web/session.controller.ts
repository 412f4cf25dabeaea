import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionToken, SESSION_COOKIE } from '../accounts/auth.guard';
import { setSessionCookie } from '../accounts/auth.controller';
import { AuthService } from '../accounts/auth.service';
import { CurrentUser, Public, User } from '../accounts/current-user';
import { DomainError } from '../common/errors/domain-error';
import { originOf } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { LoginFormDto } from './dto/login-form.dto';
import { WebViews } from './web.views';

export const HOME_OF: Record<CurrentUser['role'], string> = {
  office_manager: '/office',
  office_staff: '/office',
  secretariat: '/secretariat',
  admin: '/admin/audit',
};

@ApiExcludeController()
@Controller()
export class SessionController {
  constructor(
    private readonly auth: AuthService,
    private readonly views: WebViews,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  home(@User() user: CurrentUser, @Res() reply: FastifyReply): void {
    reply.redirect(HOME_OF[user.role], 303);
  }

  @Public()
  @Get('login')
  loginPage(@Query('next') next: string | undefined, @Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'login', { title: 'ログイン', next: safeNext(next), idleMinutes: this.config.sessionIdleMinutes });
  }

  @Public()
  @Post('login')
  async login(@Body() body: LoginFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      const { token, user } = await this.auth.login(body.email ?? '', body.password ?? '', originOf(request));
      setSessionCookie(request, reply, token);
      reply.redirect(safeNext(body.next) ?? HOME_OF[user.role], 303);
    } catch (error) {
      if (!(error instanceof DomainError) || !['LOGIN_FAILED', 'ACCOUNT_LOCKED'].includes(error.code)) throw error;
      this.views.send(reply, error.code === 'ACCOUNT_LOCKED' ? 423 : 401, 'login', {
        title: 'ログイン',
        error: error.message,
        email: body.email ?? '',
        next: safeNext(body.next),
        idleMinutes: this.config.sessionIdleMinutes,
      });
    }
  }

  @Post('logout')
  async logout(@User() user: CurrentUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = sessionToken(request);
    if (token) await this.auth.logout(token, user, originOf(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.redirect('/login', 303);
  }
}

/** Only a local path: never redirect a user elsewhere after log-in. */
function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : undefined;
}
