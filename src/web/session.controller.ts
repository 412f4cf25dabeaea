import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionToken, SESSION_COOKIE } from '../accounts/auth.guard';
import { setSessionCookie } from '../accounts/auth.controller';
import { deviceTokensOf } from '../accounts/login-devices';
import { AuthService, LoginResult } from '../accounts/auth.service';
import { AllowDuringEnrolment, CurrentUser, Public, User } from '../common/auth/current-user';
import { relyingPartyOf } from '../accounts/site';
import { DomainErrorCode } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { RateLimit } from '../common/rate-limit.guard';
import { originOf } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { MfaLoginFormDto } from './dto/account-forms.dto';
import { LoginFormDto } from './dto/login-form.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

export const HOME_OF: Record<CurrentUser['role'], string> = {
  office_manager: '/office',
  office_staff: '/office',
  secretariat: '/secretariat',
  admin: '/admin/audit',
};

/**
 * Errors of log-in that the log-in page itself answers (everything else is the error page); the service's
 * TOO_MANY_REQUESTS is the account's slow-down for browsers that are not its owner's (the throttle's own
 * refusal comes before the route and is the error page).
 */
const LOGIN_PAGE_ERRORS: DomainErrorCode[] = ['LOGIN_FAILED', 'ACCOUNT_DISABLED', 'MFA_TOKEN_INVALID', 'TOO_MANY_REQUESTS'];
const LOGIN_PAGE_STATUS: Record<string, number> = { ACCOUNT_DISABLED: 403, TOO_MANY_REQUESTS: 429 };

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
  @PageName('ログイン')
  loginPage(@Query('next') next: string | undefined, @Res() reply: FastifyReply): void {
    this.showLogin(reply, 200, { next: safeNext(next) });
  }

  /** The password; then the second step's page (a user with a second factor) or the session. */
  @Public()
  @RateLimit('login')
  @Post('login')
  @PageName('ログイン')
  @ShowFormOnError('loginAgain', { also: LOGIN_PAGE_ERRORS })
  async login(@Body() body: LoginFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const next = safeNext(body.next);
    const result = await this.auth.login(body.email ?? '', body.password ?? '', originOf(request), deviceTokensOf(request));
    if (result.kind === 'mfa') this.showMfa(reply, 200, result.mfaToken, result.passkey, next);
    else this.loggedIn(request, reply, result, next);
  }

  /** A refused log-in: the page again with the address as typed (a malformed request is the error page). */
  loginAgain(form: FormAgain): void {
    if (!LOGIN_PAGE_ERRORS.includes(form.error.code)) throw form.error;
    const retryAfter = form.error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') form.reply.header('Retry-After', String(retryAfter));
    const email = typeof form.values.email === 'string' ? form.values.email : '';
    this.showLogin(form.reply, LOGIN_PAGE_STATUS[form.error.code] ?? 401, { error: form.message, email, next: safeNext(form.values.next) });
  }

  /** The second step: a code from the app or a recovery code, or the passkey answer passkey.js put in the form. */
  @Public()
  @RateLimit('mfa')
  @Post('login/mfa')
  @PageName('ログイン')
  @ShowFormOnError('mfaAgain', { also: [...LOGIN_PAGE_ERRORS, 'MFA_CODE_WRONG'] })
  async loginMfa(@Body() body: MfaLoginFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const next = safeNext(body.next);
    const origin = originOf(request);
    const result = body.credential
      ? await this.auth.completeWithPasskey(
          body.mfaToken,
          parseCredential(body.credential),
          relyingPartyOf(request),
          origin,
          deviceTokensOf(request),
        )
      : await this.auth.completeWithCode(body.mfaToken, body.code ?? '', origin, deviceTokensOf(request));
    this.loggedIn(request, reply, result, next);
  }

  /**
   * A wrong code: the second step again (its token is the page's own hidden field, so it is read from the body
   * as sent); an expired step or a locked account: the log-in page. A malformed request is the error page.
   */
  async mfaAgain(form: FormAgain): Promise<void> {
    const next = safeNext(form.values.next);
    if (form.error.code === 'MFA_CODE_WRONG') {
      const body = (form.request.body ?? {}) as Record<string, unknown>;
      const mfaToken = typeof body.mfaToken === 'string' ? body.mfaToken : '';
      const passkey = body.credential !== undefined || (await this.offersPasskey(mfaToken));
      return this.showMfa(form.reply, 401, mfaToken, passkey, next, form.message);
    }
    if (!LOGIN_PAGE_ERRORS.includes(form.error.code)) throw form.error;
    this.showLogin(form.reply, LOGIN_PAGE_STATUS[form.error.code] ?? 401, { error: form.message, next });
  }

  @AllowDuringEnrolment()
  @Post('logout')
  async logout(@User() user: CurrentUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = sessionToken(request);
    if (token) await this.auth.logout(token, user, originOf(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    // Leaving the device: what this site keeps in the browser goes with the session (a home visit's encrypted
    // documents and unsent signatures, its service worker; docs/visits.md).
    reply.header('Clear-Site-Data', '"storage"');
    reply.redirect('/login', 303);
  }

  private loggedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    result: LoginResult & { kind: 'session' },
    next: string | undefined,
  ): void {
    setSessionCookie(request, reply, result);
    reply.redirect(result.mfaEnrolmentRequired ? '/account/mfa' : (next ?? HOME_OF[result.user.role]), 303);
  }

  private async offersPasskey(mfaToken: string): Promise<boolean> {
    return this.auth.tokenOffersPasskey(mfaToken);
  }

  private showLogin(reply: FastifyReply, status: number, context: { error?: string; email?: string; next?: string }): void {
    this.views.send(reply, status, 'login', { title: 'ログイン', idleMinutes: this.config.sessionIdleMinutes, ...context });
  }

  private showMfa(reply: FastifyReply, status: number, mfaToken: string, passkey: boolean, next: string | undefined, error?: string): void {
    this.views.send(reply, status, 'login-mfa', { title: '2段階認証', mfaToken, passkey, next, error });
  }
}

/** Only a local path: never redirect a user elsewhere after log-in. */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : undefined;
}

/** The passkey answer as the browser made it; anything unreadable is a failed try like a wrong code. */
function parseCredential(text: string): AuthenticationResponseJSON {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as AuthenticationResponseJSON;
  } catch {
    // answered below
  }
  return {
    id: '',
    rawId: '',
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: '', authenticatorData: '', signature: '' },
  };
}
