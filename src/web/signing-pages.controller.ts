import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Public, Roles, User } from '../accounts/current-user';
import { RequestOrigin } from '../common/request-origin';
import { DOMAIN_ERROR_STATUS, DomainError } from '../common/errors/domain-error';
import { Origin } from '../common/request-origin';
import { Upload, UploadedFile } from '../common/uploads';
import { DocumentSummary, DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { SignerRole } from '../networks/catalogue.types';
import { SignatureInput, SigningService } from '../signing/signing.service';
import { VerificationService } from '../signing/verification.service';
import { DeclineFormDto } from './dto/decline-form.dto';
import { PinFormDto } from './dto/pin-form.dto';
import { SignatureFormDto } from './dto/signature-form.dto';
import { WebViews } from './web.views';

const ACCESS_COOKIE = 'renkei_sign';
const SIGN_ERRORS = ['LINK_INVALID', 'LINK_EXPIRED', 'REQUEST_CLOSED', 'ALREADY_SIGNED', 'ACCESS_LOCKED', 'NOT_YOUR_TURN'];

/** What a family member sees when they open an e-mailed link: phone first, no log-in. */
@ApiExcludeController()
@Public()
@Controller()
export class SigningPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly signing: SigningService,
    private readonly networks: NetworksService,
    private readonly verification: VerificationService,
  ) {}

  @Get('sign/:token')
  async page(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.guard(reply, async () => {
      const opened = await this.signing.open(token);
      if (opened.needsAccessCode && !this.hasAccess(request, opened.signer.id)) {
        this.views.send(reply, 200, 'sign-pin', { title: '暗証番号の入力', token, document: opened.document, signer: opened.signer });
        return;
      }
      this.showSignPage(
        reply,
        200,
        opened.document,
        opened.role,
        opened.signer,
        {
          action: `/sign/${token}`,
          previewUrl: `/sign/${token}/document`,
          purposeUrl: this.purposeUrl(opened.document, `/sign/${token}/purpose`),
          declineAction: `/sign/${token}/decline`,
        },
        [],
      );
    });
  }

  @Post('sign/:token/pin')
  async pin(
    @Param('token') token: string,
    @Body() body: PinFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.guard(reply, async () => {
      try {
        const secret = await this.signing.verifyAccessCode(token, body.code ?? '', origin);
        const { signer } = await this.signing.open(token);
        reply.setCookie(`${ACCESS_COOKIE}_${signer.id}`, secret, {
          httpOnly: true,
          sameSite: 'lax',
          secure: reply.request.protocol === 'https',
          path: '/sign/',
        });
        reply.redirect(`/sign/${token}`, 303);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'ACCESS_CODE_WRONG') throw error;
        const { document, signer } = await this.signing.open(token);
        this.views.send(reply, 401, 'sign-pin', { title: '暗証番号の入力', token, document, signer, error: error.message });
      }
    });
  }

  @Post('sign/:token')
  async sign(
    @Param('token') token: string,
    @Body() body: SignatureFormDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.guard(reply, async () => {
      const opened = await this.signing.open(token);
      try {
        const result = await this.signing.signByLink(token, body, this.accessSecret(request, opened.signer.id), origin);
        this.message(
          reply,
          200,
          '署名しました',
          result.completed
            ? '署名が完了しました。全員の署名がそろったので、署名済みの文書を準備しています。準備ができたらメールでお知らせします。'
            : '署名が完了しました。ありがとうございました。このページは閉じてかまいません。',
        );
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'INVALID_REQUEST') throw error;
        const errors = (error.details?.errors as Array<{ path: string; message: string }>) ?? [];
        this.showSignPage(
          reply,
          400,
          opened.document,
          opened.role,
          opened.signer,
          {
            action: `/sign/${token}`,
            previewUrl: `/sign/${token}/document`,
            purposeUrl: this.purposeUrl(opened.document, `/sign/${token}/purpose`),
            declineAction: `/sign/${token}/decline`,
          },
          errors,
          body,
        );
      }
    });
  }

  @Post('sign/:token/decline')
  async decline(
    @Param('token') token: string,
    @Body() body: DeclineFormDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.guard(reply, async () => {
      const { signer } = await this.signing.open(token);
      await this.signing.declineByLink(token, body.reason, this.accessSecret(request, signer.id), origin);
      this.message(reply, 200, '辞退しました', '署名を辞退したことを依頼元の事業所に記録しました。');
    });
  }

  /** The document as it will be printed (behind the 暗証番号, when there is one). */
  @Get('sign/:token/document')
  async document(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.guard(reply, async () => {
      const { document, signer, needsAccessCode } = await this.signing.open(token);
      if (needsAccessCode && !this.hasAccess(request, signer.id))
        throw new DomainError('ACCESS_CODE_REQUIRED', '暗証番号を入力してください');
      this.sendFormHtml(reply, document, document.formId, document.version.data);
    });
  }

  @Get('sign/:token/purpose')
  async purpose(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await this.guard(reply, async () => {
      const { document } = await this.signing.open(token);
      const disclosure = this.disclosureOf(document);
      if (!disclosure) throw new DomainError('NOT_FOUND', 'この書類に添える利用目的はありません');
      this.sendFormHtml(reply, document, disclosure, {});
    });
  }

  @Get('verify')
  verifyPage(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'verify', { title: '文書の検証' });
  }

  @Post('verify')
  async verify(@Upload('file') file: UploadedFile | undefined, @Res() reply: FastifyReply): Promise<void> {
    try {
      if (!file) throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください');
      const result = await this.verification.verify(file.buffer);
      this.views.send(reply, 200, 'verify', { title: '文書の検証', result, filename: file.filename });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'INVALID_REQUEST') throw error;
      this.views.send(reply, 400, 'verify', { title: '文書の検証', error: error.message });
    }
  }

  @Get('d/:token')
  async download(@Param('token') token: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply): Promise<void> {
    await this.guard(reply, async () => {
      const { pdf, filename } = await this.verification.download(token, origin);
      reply
        .type('application/pdf')
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .header('Cache-Control', 'private, no-store')
        .send(pdf);
    });
  }

  private showSignPage(
    reply: FastifyReply,
    status: number,
    document: DocumentSummary,
    role: SignerRole,
    signer: { name: string; relation: string | null },
    urls: Record<string, string | null>,
    errors: Array<{ path: string; message: string }>,
    values: SignatureInput = {},
  ): void {
    showSignPage(this.views, reply, status, document, role, signer, urls, errors, values);
  }

  /** The network's disclosure (利用目的) that a consent's signers may read first, if it has one. */
  private disclosureOf(document: DocumentSummary): string | null {
    const forms = this.networks.getNetwork(document.networkId).forms;
    const signing = forms.find((f) => f.id === document.formId);
    return signing?.purpose === 'consent' ? (forms.find((f) => f.purpose === 'disclosure')?.id ?? null) : null;
  }

  private purposeUrl(document: DocumentSummary, url: string): string | null {
    return this.disclosureOf(document) ? url : null;
  }

  private sendFormHtml(reply: FastifyReply, document: DocumentSummary, formId: string, data: Record<string, unknown>): void {
    const { form } = this.networks.getForm(document.networkId, formId);
    const html = this.networks.engine.wrapDocument([this.networks.formHtml(document.networkId, formId, data)], form.title);
    reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'private, no-store')
      .send(html.replace('<head>', '<head><meta name="viewport" content="width=840">'));
  }

  private hasAccess(request: FastifyRequest, signerId: string): boolean {
    return this.accessSecret(request, signerId) !== null;
  }

  private accessSecret(request: FastifyRequest, signerId: string): string | null {
    return (request.cookies?.[`${ACCESS_COOKIE}_${signerId}`] as string | undefined) ?? null;
  }

  private message(reply: FastifyReply, status: number, title: string, message: string): void {
    this.views.send(reply, status, 'sign-message', { title, message });
  }

  /** A link that cannot be used gets a page saying why, with the right status. */
  private async guard(reply: FastifyReply, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof DomainError) || ![...SIGN_ERRORS, 'ACCESS_CODE_REQUIRED'].includes(error.code)) throw error;
      this.message(reply, DOMAIN_ERROR_STATUS[error.code], '署名のページを開けません', error.message);
    }
  }
}

/** The same page on the office's device, for a signer who is there in person. */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('documents/:id/signing/:requestId/:signerId')
export class InPersonSigningController {
  constructor(
    private readonly views: WebViews,
    private readonly signing: SigningService,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
  ) {}

  @Get()
  async page(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { document, role, signer } = await this.load(user, id, requestId, signerId, origin);
    showSignPage(
      this.views,
      reply,
      200,
      document,
      role,
      signer,
      {
        action: `/documents/${id}/signing/${requestId}/${signerId}`,
        previewUrl: `/documents/${id}/signing/${requestId}/${signerId}/document`,
        purposeUrl: null,
        declineAction: null,
      },
      [],
      {},
      true,
    );
  }

  @Get('document')
  async preview(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { document } = await this.load(user, id, requestId, signerId, origin);
    const html = this.networks.engine.wrapDocument(
      [this.networks.formHtml(document.networkId, document.formId, document.version.data)],
      document.formTitle,
    );
    reply.type('text/html; charset=utf-8').header('Cache-Control', 'private, no-store').send(html);
  }

  @Post()
  async sign(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Body() body: SignatureFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      await this.signing.signInPerson(user, requestId, signerId, body, origin);
      reply.redirect(`/documents/${id}?message=${encodeURIComponent('対面での署名を記録しました')}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'INVALID_REQUEST') throw error;
      const { document, role, signer } = await this.load(user, id, requestId, signerId, origin);
      const errors = (error.details?.errors as Array<{ path: string; message: string }>) ?? [];
      showSignPage(
        this.views,
        reply,
        400,
        document,
        role,
        signer,
        {
          action: `/documents/${id}/signing/${requestId}/${signerId}`,
          previewUrl: `/documents/${id}/signing/${requestId}/${signerId}/document`,
          purposeUrl: null,
          declineAction: null,
        },
        errors,
        body,
        true,
      );
    }
  }

  private async load(user: CurrentUser, id: string, requestId: string, signerId: string, origin: RequestOrigin) {
    const document = await this.documents.writable(user, id, origin);
    const request = (await this.signing.forDocument(user, id, origin)).find((r) => r.id === requestId);
    const signer = request?.signers.find((s) => s.id === signerId);
    if (!request || !signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    const role = this.networks.getForm(document.networkId, document.formId).form.signers.find((r) => r.role === signer.role)!;
    return { document, role, signer };
  }
}

function showSignPage(
  views: WebViews,
  reply: FastifyReply,
  status: number,
  document: DocumentSummary,
  role: SignerRole,
  signer: { name: string; relation: string | null },
  urls: Record<string, string | null>,
  errors: Array<{ path: string; message: string }>,
  values: SignatureInput = {},
  inPerson = false,
): void {
  const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
  views.send(reply, status, 'sign', {
    title: `${document.formTitle}への署名`,
    document,
    role,
    signer,
    urls,
    inPerson,
    errors,
    needsRelation: role.kind === 'family' || role.kind === 'proxy',
    isProxy: role.kind === 'proxy',
    values: {
      relation: typeof values.relation === 'string' ? values.relation : (signer.relation ?? ''),
      proxyReason: typeof values.proxyReason === 'string' ? values.proxyReason : '',
      typedName: typeof values.typedName === 'string' ? values.typedName : '',
    },
    error: {
      consent: errorOf('consent'),
      signature: errorOf('signatureImage') ?? errorOf('typedName') ?? errorOf('signatureKind'),
      relation: errorOf('relation'),
      proxyReason: errorOf('proxyReason'),
    },
  });
}
