import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../accounts/current-user';
import { DomainError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { Upload, UploadedFile } from '../common/uploads';
import { VerificationService } from '../signing/verification.service';
import { guardLinkPage } from './signing-page.view';
import { WebViews } from './web.views';

/** Anyone may check a sealed PDF (/verify); a family member downloads their exemplar by its link (/d/…). */
@ApiExcludeController()
@Public()
@Controller()
export class SigningVerifyController {
  constructor(
    private readonly views: WebViews,
    private readonly verification: VerificationService,
  ) {}

  @Get('verify')
  verifyPage(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'verify', { title: '文書の検証' });
  }

  @Post('verify')
  @ShowFormOnError('verifyAgain')
  async verify(@Upload('file') file: UploadedFile | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!file) throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください');
    const result = await this.verification.verify(file.buffer);
    this.views.send(reply, 200, 'verify', { title: '文書の検証', result, filename: file.filename });
  }

  /** The upload form again, saying why the file cannot be checked (none chosen, not a PDF…). */
  verifyAgain({ reply, status, message }: FormAgain): void {
    this.views.send(reply, status, 'verify', { title: '文書の検証', error: message });
  }

  @Get('d/:token')
  async download(@Param('token') token: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply): Promise<void> {
    await guardLinkPage(this.views, reply, async () => {
      const { pdf, filename } = await this.verification.download(token, origin);
      reply
        .type('application/pdf')
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .header('Cache-Control', 'private, no-store')
        .send(pdf);
    });
  }
}
