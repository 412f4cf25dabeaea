import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { sessionToken } from '../accounts/auth.guard';
import { AuthService } from '../accounts/auth.service';
import { AllowDuringEnrolment, CurrentUser, User } from '../common/auth/current-user';
import { deviceTokensOf } from '../accounts/login-devices';
import { MfaService } from '../accounts/mfa.service';
import { PasskeysService } from '../accounts/passkeys.service';
import { SessionsService } from '../accounts/sessions.service';
import { relyingPartyOf } from '../accounts/site';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { RateLimit } from '../common/rate-limit.guard';
import { originOf } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { ChangePasswordFormDto, PasskeyFormDto, ReauthFormDto, TotpConfirmFormDto } from './dto/account-forms.dto';
import { HOME_OF } from './session.controller';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** The errors a page shows beside its fields; anything else goes to the error page. */
function fieldErrors(error: unknown): FieldError[] {
  if (error instanceof DomainError && error.code === 'INVALID_REQUEST') return (error.details?.errors as FieldError[]) ?? [];
  throw error;
}

/** Errors of an action on the 2段階認証 page that the page itself shows. */
function actionError(error: unknown): string {
  if (error instanceof DomainError && ['INVALID_STATE', 'NOT_FOUND', 'INVALID_REQUEST'].includes(error.code)) return error.message;
  throw error;
}

/** The password check of a change to one's factors failed: its message, shown beside the password field. */
function reauthError(error: unknown): string {
  if (error instanceof DomainError && error.code === 'REAUTH_REQUIRED') return error.message;
  throw error;
}

type ReauthNotes = {
  totpSetup?: string;
  totpRemove?: string;
  recoveryCodes?: string;
  passkeyAdd?: string;
  passkeyRemove?: { id: string; message: string };
};

/** One's own account: password, second factors (enrolment at first log-in when MFA_REQUIRED), sessions. */
@ApiExcludeController()
@Controller('account')
export class AccountPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @PageName('アカウント')
  async account(@User() user: CurrentUser, @Res() reply: FastifyReply): Promise<void> {
    this.views.send(reply, 200, 'account', { title: 'アカウント', mfa: await this.mfa.status(user.id) });
  }

  @Get('password')
  @PageName('パスワードの変更')
  passwordPage(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'account-password', { title: 'パスワードの変更', errors: [], error: {} });
  }

  @RateLimit('login')
  @Post('password')
  @PageName('パスワードの変更')
  async changePassword(
    @User() user: CurrentUser,
    @Body() body: ChangePasswordFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const errors: FieldError[] = [];
    const required = (path: keyof ChangePasswordFormDto, label: string) => {
      if (!body[path]) errors.push({ path, label, message: `${label}を入力してください` });
    };
    required('currentPassword', '現在のパスワード');
    required('newPassword', '新しいパスワード');
    if (body.newPassword && body.confirmPassword !== body.newPassword)
      errors.push({ path: 'confirmPassword', label: '新しいパスワード（確認）', message: '確認のために入力したパスワードが一致しません' });
    let ended = 0;
    if (errors.length === 0) {
      try {
        ended = await this.auth.changePassword(
          user,
          body.currentPassword!,
          body.newPassword!,
          sessionToken(request),
          originOf(request),
          deviceTokensOf(request),
        );
      } catch (error) {
        errors.push(...fieldErrors(error));
      }
    }
    const error = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    this.views.send(reply, errors.length ? 400 : 200, 'account-password', {
      title: 'パスワードの変更',
      errors,
      error,
      done: !errors.length,
      ended,
    });
  }

  @Get('sessions')
  @PageName('ログイン中の端末')
  async sessionsPage(@User() user: CurrentUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.showSessions(user, request, reply);
  }

  @Post('sessions/logout-others')
  @PageName('ログイン中の端末')
  async logoutOthers(@User() user: CurrentUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ended = await this.sessions.endOthers(user, sessionToken(request), originOf(request));
    await this.showSessions(user, request, reply, `他の端末のログイン${ended}件を終了しました。`);
  }

  @Post('sessions/:id/end')
  @PageName('ログイン中の端末')
  async endSession(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.endOwn(user, id, originOf(request));
    await this.showSessions(user, request, reply, '選んだ端末をログアウトさせました。');
  }

  @AllowDuringEnrolment()
  @Get('mfa')
  @PageName('2段階認証')
  async mfaPage(@User() user: CurrentUser, @Res() reply: FastifyReply): Promise<void> {
    await this.showMfa(user, reply, 200, {});
  }

  @AllowDuringEnrolment()
  @RateLimit('login')
  @Post('mfa/totp/setup')
  @PageName('認証アプリの設定')
  async setupTotp(@User() user: CurrentUser, @Body() body: ReauthFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      await this.reauthenticate(user, body.password, request);
    } catch (error) {
      return this.showMfa(user, reply, 403, { reauth: { totpSetup: reauthError(error) } });
    }
    await this.showTotp(reply, 200, await this.mfa.setupTotp(user));
  }

  /** The set-up page again (reloaded); without a set-up in progress, the 2段階認証 page. */
  @AllowDuringEnrolment()
  @Get('mfa/totp')
  @PageName('認証アプリの設定')
  async totpPage(@User() user: CurrentUser, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.mfa.pendingTotp(user);
    if (!pending) return reply.redirect('/account/mfa', 303);
    await this.showTotp(reply, 200, pending);
  }

  @AllowDuringEnrolment()
  @RateLimit('mfa')
  @Post('mfa/totp/confirm')
  @PageName('認証アプリの設定')
  async confirmTotp(
    @User() user: CurrentUser,
    @Body() body: TotpConfirmFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      await this.reauthenticate(user, body.password, request);
    } catch (error) {
      const message = reauthError(error);
      const pending = await this.mfa.pendingTotp(user);
      if (!pending) return this.showMfa(user, reply, 403, { reauth: { totpSetup: message } });
      return this.showTotp(reply, 403, pending, undefined, message);
    }
    try {
      const { recoveryCodes } = await this.mfa.confirmTotp(user, body.code ?? '', originOf(request));
      this.showCodes(user, reply, recoveryCodes, '認証アプリを設定しました。次回から、ログインのときに確認コードを入力します。');
    } catch (error) {
      const [problem] = fieldErrors(error);
      const pending = await this.mfa.pendingTotp(user);
      if (!pending) return this.showMfa(user, reply, 400, { error: problem?.message });
      await this.showTotp(reply, 400, pending, problem?.message ?? '確認コードを入力してください');
    }
  }

  @RateLimit('login')
  @Post('mfa/totp/remove')
  @PageName('認証アプリの設定の解除')
  async removeTotp(@User() user: CurrentUser, @Body() body: ReauthFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      await this.reauthenticate(user, body.password, request);
    } catch (error) {
      return this.showMfa(user, reply, 403, { reauth: { totpRemove: reauthError(error) } });
    }
    try {
      await this.mfa.removeTotp(user, originOf(request));
      await this.showMfa(user, reply, 200, { message: '認証アプリの設定を解除しました。' });
    } catch (error) {
      await this.showMfa(user, reply, 409, { error: actionError(error) });
    }
  }

  @RateLimit('login')
  @Post('mfa/recovery-codes')
  @PageName('回復コード')
  async recoveryCodes(@User() user: CurrentUser, @Body() body: ReauthFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      await this.reauthenticate(user, body.password, request);
    } catch (error) {
      return this.showMfa(user, reply, 403, { reauth: { recoveryCodes: reauthError(error) } });
    }
    try {
      const codes = await this.mfa.newRecoveryCodes(user, originOf(request));
      this.showCodes(user, reply, codes, '回復コードを新しく発行しました。いままでのコードは使えません。');
    } catch (error) {
      await this.showMfa(user, reply, 409, { error: actionError(error) });
    }
  }

  /** passkey.js puts the browser's answer into this form; the first factor also shows its recovery codes. */
  @AllowDuringEnrolment()
  @RateLimit('login')
  @Post('mfa/passkeys')
  @PageName('パスキーの追加')
  async addPasskey(@User() user: CurrentUser, @Body() body: PasskeyFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!body.credential) return this.showMfa(user, reply, 400, { error: '「パスキーを追加する」を押して、画面の案内に従ってください' });
    try {
      await this.reauthenticate(user, body.password, request);
    } catch (error) {
      return this.showMfa(user, reply, 403, { reauth: { passkeyAdd: reauthError(error) } });
    }
    try {
      const response = JSON.parse(body.credential) as RegistrationResponseJSON;
      const { passkey, recoveryCodes } = await this.passkeys.register(
        user,
        response,
        body.name,
        relyingPartyOf(request),
        originOf(request),
      );
      const message = `パスキー「${passkey.name}」を登録しました。`;
      if (recoveryCodes) return this.showCodes(user, reply, recoveryCodes, message);
      await this.showMfa(user, reply, 200, { message });
    } catch (error) {
      const message = error instanceof SyntaxError ? 'パスキーの情報を読み取れませんでした。もう一度お試しください' : actionError(error);
      await this.showMfa(user, reply, 400, { error: message });
    }
  }

  @RateLimit('login')
  @Post('mfa/passkeys/:id/remove')
  @PageName('パスキーの削除')
  async removePasskey(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: ReauthFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    try {
      await this.reauthenticate(user, body.password, request);
    } catch (error) {
      return this.showMfa(user, reply, 403, { reauth: { passkeyRemove: { id, message: reauthError(error) } } });
    }
    try {
      await this.passkeys.remove(user, id, originOf(request));
      await this.showMfa(user, reply, 200, { message: 'パスキーを削除しました。' });
    } catch (error) {
      await this.showMfa(user, reply, 409, { error: actionError(error) });
    }
  }

  private async showSessions(user: CurrentUser, request: FastifyRequest, reply: FastifyReply, message?: string): Promise<void> {
    const sessions = await this.sessions.listOwn(user, sessionToken(request));
    this.views.send(reply, 200, 'account-sessions', {
      title: 'ログイン中の端末',
      sessions,
      others: sessions.filter((s) => !s.current).length,
      message,
      maxHours: this.config.sessionMaxHours,
      idleMinutes: this.config.sessionIdleMinutes,
    });
  }

  private reauthenticate(user: CurrentUser, password: string | undefined, request: FastifyRequest): Promise<void> {
    return this.auth.reauthenticate(user, password, originOf(request), deviceTokensOf(request));
  }

  private async showMfa(
    user: CurrentUser,
    reply: FastifyReply,
    status: number,
    notes: { message?: string; error?: string; reauth?: ReauthNotes },
  ): Promise<void> {
    this.views.send(reply, status, 'account-mfa', { title: '2段階認証', status: await this.mfa.status(user.id), ...notes });
  }

  private async showTotp(
    reply: FastifyReply,
    status: number,
    setup: { secret: string; otpauthUrl: string },
    error?: string,
    passwordError?: string,
  ): Promise<void> {
    const qr = await QRCode.toDataURL(setup.otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    const secretGroups = setup.secret.match(/.{1,4}/g)!.join(' ');
    this.views.send(reply, status, 'account-totp', { title: '認証アプリの設定', qr, secretGroups, error, passwordError });
  }

  private showCodes(user: CurrentUser, reply: FastifyReply, codes: string[], message: string): void {
    // A factor was just enrolled: the session is no longer limited to enrolment.
    reply.request.mfaEnrolmentPending = false;
    this.views.send(reply, 200, 'account-recovery-codes', { title: '回復コード', codes, message, continueUrl: HOME_OF[user.role] });
  }
}
