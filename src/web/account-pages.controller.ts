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
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { RateLimit } from '../common/rate-limit.guard';
import { originOf } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { ChangePasswordFormDto, PasskeyFormDto, ReauthFormDto, TotpConfirmFormDto } from './dto/account-forms.dto';
import { HOME_OF } from './session.controller';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/**
 * The refusals of a change to one's factors that the 2段階認証 page shows itself (a password that does not match,
 * a factor already gone); the rest of its form errors come from FORM_ERROR_CODES.
 */
const MFA_REFUSALS: DomainErrorCode[] = ['REAUTH_REQUIRED', 'NOT_FOUND'];

/** The browser's passkey answer, as passkey.js posted it. */
function parseCredential(credential: string): RegistrationResponseJSON {
  try {
    return JSON.parse(credential) as RegistrationResponseJSON;
  } catch {
    throw new DomainError('INVALID_REQUEST', 'パスキーの情報を読み取れませんでした。もう一度お試しください');
  }
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
  @ShowFormOnError('passwordAgain')
  async changePassword(
    @User() user: CurrentUser,
    @Body() body: ChangePasswordFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const ended = await this.auth.changePassword(
      user,
      body.currentPassword,
      body.newPassword,
      sessionToken(request),
      originOf(request),
      deviceTokensOf(request),
    );
    this.views.send(reply, 200, 'account-password', { title: 'パスワードの変更', errors: [], error: {}, done: true, ended });
  }

  passwordAgain({ reply, errors, status }: FormAgain): void {
    const error = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    this.views.send(reply, status, 'account-password', { title: 'パスワードの変更', errors, error });
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
  @ShowFormOnError('totpSetupAgain', { also: MFA_REFUSALS })
  async setupTotp(@User() user: CurrentUser, @Body() body: ReauthFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.reauthenticate(user, body.password, request);
    await this.showTotp(reply, 200, await this.mfa.setupTotp(user));
  }

  totpSetupAgain(form: FormAgain): Promise<void> {
    return this.mfaAgain(form, 'totpSetup');
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
  @ShowFormOnError('totpConfirmAgain', { also: MFA_REFUSALS })
  async confirmTotp(
    @User() user: CurrentUser,
    @Body() body: TotpConfirmFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.reauthenticate(user, body.password, request);
    const { recoveryCodes } = await this.mfa.confirmTotp(user, body.code ?? '', originOf(request));
    this.showCodes(user, reply, recoveryCodes, '認証アプリを設定しました。次回から、ログインのときに確認コードを入力します。');
  }

  /** The set-up page again with the problem (the password beside its field, the code beside its own); the set-up gone, the 2段階認証 page. */
  async totpConfirmAgain(form: FormAgain): Promise<void> {
    const pending = await this.mfa.pendingTotp(form.request.user!);
    if (!pending) return this.mfaAgain(form, 'totpSetup');
    const reauth = form.error.code === 'REAUTH_REQUIRED';
    await this.showTotp(form.reply, form.status, pending, reauth ? undefined : form.message, reauth ? form.message : undefined);
  }

  @RateLimit('login')
  @Post('mfa/totp/remove')
  @PageName('認証アプリの設定の解除')
  @ShowFormOnError('totpRemoveAgain', { also: MFA_REFUSALS })
  async removeTotp(@User() user: CurrentUser, @Body() body: ReauthFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.reauthenticate(user, body.password, request);
    await this.mfa.removeTotp(user, originOf(request));
    await this.showMfa(user, reply, 200, { message: '認証アプリの設定を解除しました。' });
  }

  totpRemoveAgain(form: FormAgain): Promise<void> {
    return this.mfaAgain(form, 'totpRemove');
  }

  @RateLimit('login')
  @Post('mfa/recovery-codes')
  @PageName('回復コード')
  @ShowFormOnError('recoveryCodesAgain', { also: MFA_REFUSALS })
  async recoveryCodes(@User() user: CurrentUser, @Body() body: ReauthFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.reauthenticate(user, body.password, request);
    const codes = await this.mfa.newRecoveryCodes(user, originOf(request));
    this.showCodes(user, reply, codes, '回復コードを新しく発行しました。いままでのコードは使えません。');
  }

  recoveryCodesAgain(form: FormAgain): Promise<void> {
    return this.mfaAgain(form, 'recoveryCodes');
  }

  /** passkey.js puts the browser's answer into this form; the first factor also shows its recovery codes. */
  @AllowDuringEnrolment()
  @RateLimit('login')
  @Post('mfa/passkeys')
  @PageName('パスキーの追加')
  @ShowFormOnError('passkeyAddAgain', { also: MFA_REFUSALS })
  async addPasskey(@User() user: CurrentUser, @Body() body: PasskeyFormDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!body.credential) throw new DomainError('INVALID_REQUEST', '「パスキーを追加する」を押して、画面の案内に従ってください');
    await this.reauthenticate(user, body.password, request);
    const response = parseCredential(body.credential);
    const { passkey, recoveryCodes } = await this.passkeys.register(user, response, body.name, relyingPartyOf(request), originOf(request));
    const message = `パスキー「${passkey.name}」を登録しました。`;
    if (recoveryCodes) return this.showCodes(user, reply, recoveryCodes, message);
    await this.showMfa(user, reply, 200, { message });
  }

  passkeyAddAgain(form: FormAgain): Promise<void> {
    return this.mfaAgain(form, 'passkeyAdd');
  }

  @RateLimit('login')
  @Post('mfa/passkeys/:id/remove')
  @PageName('パスキーの削除')
  @ShowFormOnError('passkeyRemoveAgain', { also: MFA_REFUSALS })
  async removePasskey(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: ReauthFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.reauthenticate(user, body.password, request);
    await this.passkeys.remove(user, id, originOf(request));
    await this.showMfa(user, reply, 200, { message: 'パスキーを削除しました。' });
  }

  passkeyRemoveAgain({ request, reply, params, status, message, error }: FormAgain): Promise<void> {
    const notes = error.code === 'REAUTH_REQUIRED' ? { reauth: { passkeyRemove: { id: params.id, message } } } : { error: message };
    return this.showMfa(request.user!, reply, status, notes);
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

  /** The 2段階認証 page again: a wrong password beside the action's own password field, anything else at the top. */
  private mfaAgain(form: FormAgain, action: Exclude<keyof ReauthNotes, 'passkeyRemove'>): Promise<void> {
    const notes = form.error.code === 'REAUTH_REQUIRED' ? { reauth: { [action]: form.message } } : { error: form.message };
    return this.showMfa(form.request.user!, form.reply, form.status, notes);
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
