import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RateLimit } from '../common/rate-limit.guard';
import { Origin, RequestOrigin } from '../common/request-origin';
import { MfaStatus, PasskeySummary } from './accounts.types';
import { AuthService } from './auth.service';
import { AllowDuringEnrolment, CurrentUser, User } from '../common/auth/current-user';
import { PasskeyRegisterDto, ReauthDto, TotpConfirmDto } from './dto/mfa.dto';
import { deviceTokensOf } from './login-devices';
import { MfaService } from './mfa.service';
import { PasskeysService } from './passkeys.service';
import { relyingPartyOf } from './site';

const REAUTH =
  'Requires `password` (the current one) in the body: missing or wrong → 403 `{ code: "REAUTH_REQUIRED" }`, counted as a failed ' +
  'log-in. The owner is e-mailed about the change.';

/**
 * One's own second factors. Open to a session that must still enrol one (MFA_REQUIRED). Every change asks
 * for the current password in the same request: a stolen session alone cannot take over the second factor.
 */
@ApiTags('auth')
@AllowDuringEnrolment()
@Controller('api/auth/mfa')
export class MfaController {
  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'One’s second factors: app (TOTP), passkeys, recovery codes left, and whether MFA is required' })
  status(@User() user: CurrentUser): Promise<MfaStatus> {
    return this.mfa.status(user.id);
  }

  @RateLimit('login')
  @Post('totp/setup')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start setting up an authenticator app → `{ secret, otpauthUrl }` (show the URL as a QR code)',
    description: 'Requires `password` (the current one): missing or wrong → 403 `{ code: "REAUTH_REQUIRED" }`.',
  })
  async setupTotp(
    @User() user: CurrentUser,
    @Body() body: ReauthDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ secret: string; otpauthUrl: string }> {
    await this.auth.reauthenticate(user, body?.password, origin, deviceTokensOf(request));
    return this.mfa.setupTotp(user);
  }

  @RateLimit('mfa')
  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm the app with the code it shows → `{ recoveryCodes }` (ten, shown this once); it replaces an earlier app',
    description: REAUTH,
  })
  async confirmTotp(
    @User() user: CurrentUser,
    @Body() body: TotpConfirmDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ recoveryCodes: string[] }> {
    await this.auth.reauthenticate(user, body.password, origin, deviceTokensOf(request));
    return this.mfa.confirmTotp(user, body.code, origin);
  }

  @RateLimit('login')
  @Delete('totp')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the authenticator app (not the last factor when MFA is required)', description: REAUTH })
  async removeTotp(
    @User() user: CurrentUser,
    @Body() body: ReauthDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.auth.reauthenticate(user, body?.password, origin, deviceTokensOf(request));
    return this.mfa.removeTotp(user, origin);
  }

  @RateLimit('login')
  @Post('recovery-codes')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ten new recovery codes; the old ones stop working', description: REAUTH })
  async recoveryCodes(
    @User() user: CurrentUser,
    @Body() body: ReauthDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ recoveryCodes: string[] }> {
    await this.auth.reauthenticate(user, body?.password, origin, deviceTokensOf(request));
    return { recoveryCodes: await this.mfa.newRecoveryCodes(user, origin) };
  }

  @Post('passkeys/options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start adding a passkey: the WebAuthn creation options for navigator.credentials.create()',
    description: 'Adding it (POST /api/auth/mfa/passkeys) asks for the password.',
  })
  passkeyOptions(@User() user: CurrentUser, @Req() request: FastifyRequest) {
    return this.passkeys.registrationOptions(user, relyingPartyOf(request));
  }

  @RateLimit('login')
  @Post('passkeys')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add the passkey the browser created → `{ passkey, recoveryCodes }` (codes when it is the first factor)',
    description: REAUTH,
  })
  async addPasskey(
    @User() user: CurrentUser,
    @Body() body: PasskeyRegisterDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ passkey: PasskeySummary; recoveryCodes: string[] | null }> {
    await this.auth.reauthenticate(user, body.password, origin, deviceTokensOf(request));
    return this.passkeys.register(user, body.response, body.name, relyingPartyOf(request), origin);
  }

  @RateLimit('login')
  @Delete('passkeys/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove one of one’s passkeys (not the last factor when MFA is required)', description: REAUTH })
  async removePasskey(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: ReauthDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.auth.reauthenticate(user, body?.password, origin, deviceTokensOf(request));
    return this.passkeys.remove(user, id, origin);
  }
}
