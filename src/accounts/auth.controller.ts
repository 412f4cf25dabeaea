import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimit } from '../common/rate-limit.guard';
import { Origin, RequestOrigin } from '../common/request-origin';
import { OwnSession } from './accounts.types';
import { SESSION_COOKIE, sessionToken } from './auth.guard';
import { AuthService, LoginResult } from './auth.service';
import { csrfTokenFor } from './csrf';
import { deviceTokensOf, setDeviceCookie } from './login-devices';
import { AllowDuringEnrolment, CurrentUser, Public, User } from '../common/auth/current-user';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { MfaCodeLoginDto, MfaTokenDto, PasskeyLoginDto } from './dto/mfa.dto';
import { SessionsService } from './sessions.service';
import { relyingPartyOf } from './site';

type SessionAnswer = { token: string; user: CurrentUser; mfaEnrolmentRequired?: true };

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with e-mail and password',
    description:
      'Without a second factor: the session cookie, and `{ token, user }` (the token for `Authorization: Bearer`); with ' +
      '`mfaEnrolmentRequired: true` when MFA_REQUIRED and the user must enrol first. For a user with a second factor: ' +
      '`{ mfaRequired: true, mfaToken }` and no session; continue with POST /api/auth/login/mfa.',
  })
  async login(
    @Body() body: LoginDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionAnswer | { mfaRequired: true; mfaToken: string }> {
    const result = await this.auth.login(body.email, body.password, origin, deviceTokensOf(request));
    if (result.kind === 'mfa') return { mfaRequired: true, mfaToken: result.mfaToken };
    return answerWithSession(request, reply, result);
  }

  @Public()
  @RateLimit('mfa')
  @Post('login/mfa')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Second step: a TOTP code or a recovery code',
    description: 'Each code works once; 5 wrong codes end the mfaToken (log in again). → `{ token, user }` and the session cookie.',
  })
  async loginMfa(
    @Body() body: MfaCodeLoginDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionAnswer> {
    return answerWithSession(request, reply, await this.auth.completeWithCode(body.mfaToken, body.code, origin, deviceTokensOf(request)));
  }

  @Public()
  @RateLimit('mfa')
  @Post('login/mfa/passkey/options')
  @HttpCode(200)
  @ApiOperation({ summary: 'Second step with a passkey: the WebAuthn request options for navigator.credentials.get()' })
  passkeyOptions(@Body() body: MfaTokenDto, @Req() request: FastifyRequest) {
    return this.auth.passkeyOptions(body.mfaToken, relyingPartyOf(request));
  }

  @Public()
  @RateLimit('mfa')
  @Post('login/mfa/passkey')
  @HttpCode(200)
  @ApiOperation({ summary: 'Second step with a passkey: the browser’s answer → `{ token, user }` and the session cookie' })
  async loginPasskey(
    @Body() body: PasskeyLoginDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionAnswer> {
    const result = await this.auth.completeWithPasskey(
      body.mfaToken,
      body.response,
      relyingPartyOf(request),
      origin,
      deviceTokensOf(request),
    );
    return answerWithSession(request, reply, result);
  }

  @Public()
  @Get('csrf')
  @ApiOperation({
    summary: 'The CSRF token for a browser session: send it as `X-CSRF-Token` with every change authenticated by the cookie',
  })
  csrf(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): { csrfToken: string } {
    return { csrfToken: csrfTokenFor(request, reply) };
  }

  @AllowDuringEnrolment()
  @Post('logout')
  @HttpCode(204)
  async logout(
    @User() user: CurrentUser,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const token = sessionToken(request);
    if (token) await this.auth.logout(token, user, origin);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @AllowDuringEnrolment()
  @Get('me')
  me(@User() user: CurrentUser): CurrentUser {
    return user;
  }

  @RateLimit('login')
  @Post('password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change one’s own password (current and new); every other session of the user ends' })
  async changePassword(
    @User() user: CurrentUser,
    @Body() body: ChangePasswordDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ endedSessions: number }> {
    const ended = await this.auth.changePassword(
      user,
      body.currentPassword,
      body.newPassword,
      sessionToken(request),
      origin,
      deviceTokensOf(request),
    );
    return { endedSessions: ended };
  }

  @AllowDuringEnrolment()
  @Get('sessions')
  @ApiOperation({ summary: 'One’s own log-in sessions (devices), newest first; `current` marks this one' })
  listSessions(@User() user: CurrentUser, @Req() request: FastifyRequest): Promise<OwnSession[]> {
    return this.sessions.listOwn(user, sessionToken(request));
  }

  @AllowDuringEnrolment()
  @Post('sessions/logout-others')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out everywhere else: every other session of the user ends' })
  async logoutOthers(
    @User() user: CurrentUser,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ ended: number }> {
    return { ended: await this.sessions.endOthers(user, sessionToken(request), origin) };
  }

  @AllowDuringEnrolment()
  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of one’s own sessions' })
  async endSession(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    await this.sessions.endOwn(user, id, origin);
  }
}

/** The session cookie, and the device cookie that marks this browser as the account's known device. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, result: LoginResult & { kind: 'session' }): void {
  reply.setCookie(SESSION_COOKIE, result.token, { httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: '/' });
  setDeviceCookie(request, reply, result.deviceTokens);
}

function answerWithSession(request: FastifyRequest, reply: FastifyReply, result: LoginResult & { kind: 'session' }): SessionAnswer {
  setSessionCookie(request, reply, result);
  return { token: result.token, user: result.user, ...(result.mfaEnrolmentRequired ? { mfaEnrolmentRequired: true as const } : {}) };
}
