import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Public, Roles, User } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { Origin, RequestOrigin } from '../common/request-origin';
import { Upload, UploadedFile } from '../common/uploads';
import { CreateSigningDto } from './dto/create-signing.dto';
import { SignatureDto } from './dto/signature.dto';
import { VerificationDto, VerifyUploadDto } from './dto/verify.dto';
import { SigningService } from './signing.service';
import { VerificationService } from './verification.service';

@ApiTags('signing')
@Controller('api')
export class SigningController {
  constructor(
    private readonly signing: SigningService,
    private readonly verification: VerificationService,
  ) {}

  @Post('documents/:id/signing')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({
    summary: 'Send an issued document for signing: signers per catalogue role, by e-mailed link or in person, optional order and 暗証番号',
  })
  create(@User() user: CurrentUser, @Param('id') id: string, @Body() body: CreateSigningDto, @Origin() origin: RequestOrigin) {
    return this.signing.create(user, id, body, origin);
  }

  @Get('documents/:id/signing')
  @Roles('office_manager', 'office_staff')
  list(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.signing.forDocument(user, id, origin);
  }

  @Post('signing/:requestId/signers/:signerId/resend')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: 'Send a new link (the previous link stops working)' })
  resend(
    @User() user: CurrentUser,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
  ) {
    return this.signing.resend(user, requestId, signerId, origin);
  }

  @Post('signing/:requestId/cancel')
  @Roles('office_manager', 'office_staff')
  cancel(@User() user: CurrentUser, @Param('requestId') requestId: string, @Origin() origin: RequestOrigin) {
    return this.signing.cancel(user, requestId, origin);
  }

  @Post('signing/:requestId/signers/:signerId/switch-to-in-person')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({
    summary: '対面に切替: an e-mail signer will sign in person (their link dies; audit-logged and printed on the sealed audit page)',
  })
  async switchToInPerson(
    @User() user: CurrentUser,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
  ) {
    await this.signing.switchToInPerson(user, requestId, signerId, origin);
    return this.signing.describe(requestId);
  }

  @Post('signing/:requestId/signers/:signerId/in-person')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: 'Sign on the office’s device during a visit (the logged-in staff member witnesses)' })
  inPerson(
    @User() user: CurrentUser,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Body() body: SignatureDto,
    @Origin() origin: RequestOrigin,
  ) {
    return this.signing.signInPerson(user, requestId, signerId, body, origin);
  }

  @Public()
  @Post('verify')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: VerifyUploadDto })
  @ApiOperation({
    summary:
      'Is this PDF one this service sealed, unchanged, for which document; its PAdES level, timestamps, and the document’s state now? (no personal data)',
  })
  @ApiOkResponse({ type: VerificationDto })
  verify(@Upload('file') file: UploadedFile | undefined) {
    if (!file)
      throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください', {
        errors: [{ path: 'file', label: 'ファイル', message: 'PDFファイルを選んでください' }],
      });
    return this.verification.verify(file.buffer);
  }

  @Public()
  @Get('downloads/:token')
  @ApiHeader({
    name: 'X-Access-Code',
    required: false,
    description: "The signer's 暗証番号, where they were given one (401 ACCESS_CODE_REQUIRED without it)",
  })
  async download(
    @Param('token') token: string,
    @Headers('x-access-code') accessCode: string | undefined,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Each code given is one attempt on the signer's counter, as on the signing page.
    const secret = typeof accessCode === 'string' ? await this.verification.unlockDownload(token, accessCode, origin) : null;
    const { pdf, filename } = await this.verification.download(token, secret, origin);
    reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  }
}
