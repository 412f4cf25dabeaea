import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RateLimit } from '../common/rate-limit.guard';
import { Origin, RequestOrigin } from '../common/request-origin';
import { MfaStatus, PasskeySummary } from './accounts.types';
import { AllowDuringEnrolment, CurrentUser, User } from './current-user';
import { PasskeyRegisterDto, TotpConfirmDto } from './dto/mfa.dto';
import { MfaService } from './mfa.service';
import { PasskeysService } from './passkeys.service';
import { relyingPartyOf } from './site';

/** One's own second factors. Open to a session that must still enrol one (MFA_REQUIRED). */
@ApiTags('auth')
@AllowDuringEnrolment()
@Controller('api/auth/mfa')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'One’s second factors: app (TOTP), passkeys, recovery codes left, and whether MFA is required' })
  status(@User() user: CurrentUser): Promise<MfaStatus> {
    return this.mfa.status(user.id);
  }

  @Post('totp/setup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start setting up an authenticator app → `{ secret, otpauthUrl }` (show the URL as a QR code)' })
  setupTotp(@User() user: CurrentUser): Promise<{ secret: string; otpauthUrl: string }> {
    return this.mfa.setupTotp(user);
  }

  @RateLimit('mfa')
  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm the app with the code it shows → `{ recoveryCodes }` (ten, shown this once)' })
  confirmTotp(
    @User() user: CurrentUser,
    @Body() body: TotpConfirmDto,
    @Origin() origin: RequestOrigin,
  ): Promise<{ recoveryCodes: string[] }> {
    return this.mfa.confirmTotp(user, body.code, origin);
  }

  @Delete('totp')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the authenticator app (not the last factor when MFA is required)' })
  removeTotp(@User() user: CurrentUser, @Origin() origin: RequestOrigin): Promise<void> {
    return this.mfa.removeTotp(user, origin);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ten new recovery codes; the old ones stop working' })
  async recoveryCodes(@User() user: CurrentUser, @Origin() origin: RequestOrigin): Promise<{ recoveryCodes: string[] }> {
    return { recoveryCodes: await this.mfa.newRecoveryCodes(user, origin) };
  }

  @Post('passkeys/options')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start adding a passkey: the WebAuthn creation options for navigator.credentials.create()' })
  passkeyOptions(@User() user: CurrentUser, @Req() request: FastifyRequest) {
    return this.passkeys.registrationOptions(user, relyingPartyOf(request));
  }

  @Post('passkeys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add the passkey the browser created → `{ passkey, recoveryCodes }` (codes when it is the first factor)' })
  addPasskey(
    @User() user: CurrentUser,
    @Body() body: PasskeyRegisterDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
  ): Promise<{ passkey: PasskeySummary; recoveryCodes: string[] | null }> {
    return this.passkeys.register(user, body.response, body.name, relyingPartyOf(request), origin);
  }

  @Delete('passkeys/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove one of one’s passkeys (not the last factor when MFA is required)' })
  removePasskey(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    return this.passkeys.remove(user, id, origin);
  }
}
