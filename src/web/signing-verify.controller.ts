import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { RateLimit } from '../common/rate-limit.guard';
import { Upload, UploadedFile } from '../common/uploads';
import { FamilyContactService } from '../signing/family-contact.service';
import { VerificationService } from '../signing/verification.service';
import { PinFormDto } from './dto/pin-form.dto';
import { familyAccessSecret, grantFamilyAccess, guardFamilyLink } from './family-link.view';
import { verificationLines } from './verify.view';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** Anyone may check a sealed PDF (/verify); a family member downloads their exemplar by its link (/d/…). */
@ApiExcludeController()
@Public()
@Controller()
export class SigningVerifyController {
  constructor(
    private readonly views: WebViews,
    private readonly verification: VerificationService,
    private readonly contacts: FamilyContactService,
  ) {}

  /** How a download link's refusals are titled, and whom they name. */
  private downloadPage(token: string) {
    return {
      title: '書類のダウンロードページを開けません',
      contact: () => this.contacts.forDownloadLink(token),
      nextSteps: { LINK_EXPIRED: '書類の控えが必要なときは、事業所にお電話ください。改めてお送りするか、別の方法をご案内します。' },
    };
  }

  @Get('verify')
  @PageName('文書の検証')
  verifyPage(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'verify', { title: '文書の検証' });
  }

  @Post('verify')
  @PageName('文書の検証')
  @ShowFormOnError('verifyAgain')
  async verify(@Upload('file') file: UploadedFile | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!file) throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください');
    const result = await this.verification.verify(file.buffer);
    this.views.send(reply, 200, 'verify', { title: '文書の検証', result, lines: verificationLines(result), filename: file.filename });
  }

  /** The upload form again, saying why the file cannot be checked (none chosen, not a PDF…). */
  verifyAgain({ reply, status, message }: FormAgain): void {
    this.views.send(reply, status, 'verify', { title: '文書の検証', error: message });
  }

  /** Behind the signer's 暗証番号 where they had one (family-link.view.ts). */
  @Get('d/:token')
  async download(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardFamilyLink(this.views, reply, `/d/${token}`, this.downloadPage(token), async () => {
      const { pdf, filename } = await this.verification.download(token, familyAccessSecret(request), origin);
      reply
        .type('application/pdf')
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .header('Cache-Control', 'private, no-store')
        .send(pdf);
    });
  }

  /** The 暗証番号 at a download link: the signer's counter and lock, as on the signing page. */
  @RateLimit('pin')
  @Post('d/:token/pin')
  async downloadPin(
    @Param('token') token: string,
    @Body() body: PinFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardFamilyLink(this.views, reply, `/d/${token}`, this.downloadPage(token), async () => {
      const secret = await this.verification.unlockDownload(token, body.code ?? '', origin);
      if (secret) grantFamilyAccess(reply, `/d/${token}`, secret);
      reply.redirect(`/d/${token}`, 303);
    });
  }
}
