import { DOCUMENT_CSP_HEADER } from '../common/content-security';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { RateLimit } from '../common/rate-limit.guard';
import { Origin, RequestOrigin } from '../common/request-origin';
import { NetworksService } from '../networks/networks.service';
import { FamilyContactService } from '../signing/family-contact.service';
import { SigningLinksService, accessGranted, isLocked } from '../signing/signing-links.service';
import { lockedError } from '../signing/signing.validation';
import { LinkSigner, OpenedLink, SignatureInput, SigningDocument } from '../signing/signing.types';
import { DeclineFormDto } from './dto/decline-form.dto';
import { PinFormDto } from './dto/pin-form.dto';
import { SignatureFormDto } from './dto/signature-form.dto';
import { FieldErrors, fitToPhone, guardLinkPage, showSignMessage, showSignPage } from './signing-page.view';
import { readingHtml } from '../networks/reading-view';
import { WebViews } from './web.views';

const ACCESS_COOKIE = 'renkei_sign';

/** What a family member sees when they open an e-mailed link: phone first, no log-in. */
@ApiExcludeController()
@Public()
@Controller('sign/:token')
export class SigningPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly links: SigningLinksService,
    private readonly networks: NetworksService,
    private readonly contacts: FamilyContactService,
  ) {}

  @Get()
  async page(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token), async () => {
      let opened = await this.links.open(token, 'kept');
      // A browser that holds a 暗証番号 cookie this copy does not know may have just passed on another API.
      if (!this.hasAccess(request, opened.signer) && this.accessSecret(request, opened.signer.id)) opened = await this.links.open(token);
      if (isLocked(opened.signer)) throw lockedError();
      if (!this.hasAccess(request, opened.signer)) {
        const contact = await this.contacts.forSigningLink(token);
        this.views.send(reply, 200, 'sign-pin', {
          title: '暗証番号の入力',
          token,
          document: opened.document,
          signer: opened.signer,
          contact,
        });
        return;
      }
      this.showSignPage(reply, 200, token, opened);
    });
  }

  @RateLimit('pin')
  @Post('pin')
  @ShowFormOnError('pinAgain', { also: ['ACCESS_CODE_WRONG'] })
  async pin(
    @Param('token') token: string,
    @Body() body: PinFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token), async () => {
      const secret = await this.links.verifyAccessCode(token, body.code ?? '', origin);
      const { signer } = await this.links.open(token);
      reply.setCookie(`${ACCESS_COOKIE}_${signer.id}`, secret, {
        httpOnly: true,
        sameSite: 'lax',
        secure: reply.request.protocol === 'https',
        path: '/sign/',
      });
      reply.redirect(`/sign/${token}`, 303);
    });
  }

  /** A wrong 暗証番号: the PIN page again, saying how many tries are left (a link locked meanwhile: its page). */
  async pinAgain({ reply, params, status, message }: FormAgain): Promise<void> {
    const { token } = params;
    await guardLinkPage(this.views, reply, this.linkPage(token), async () => {
      const { document, signer } = await this.links.open(token);
      const contact = await this.contacts.forSigningLink(token);
      this.views.send(reply, status, 'sign-pin', { title: '暗証番号の入力', token, document, signer, contact, error: message });
    });
  }

  @Post()
  @ShowFormOnError('signAgain')
  async sign(
    @Param('token') token: string,
    @Body() body: SignatureFormDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token), async () => {
      const opened = await this.links.open(token);
      const result = await this.links.signByLink(token, body, this.accessSecret(request, opened.signer.id), origin);
      showSignMessage(this.views, reply, 200, '署名しました', this.doneMessage(opened, result.completed));
    });
  }

  /** The signing page again: what was entered kept (a drawn signature too), each message beside its field. */
  async signAgain({ reply, params, values, errors, status }: FormAgain): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(params.token), async () => {
      this.showSignPage(reply, status, params.token, await this.links.open(params.token), errors, values);
    });
  }

  @Post('decline')
  async decline(
    @Param('token') token: string,
    @Body() body: DeclineFormDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token), async () => {
      const { signer } = await this.links.open(token);
      await this.links.declineByLink(token, body.reason, this.accessSecret(request, signer.id), origin);
      showSignMessage(this.views, reply, 200, '辞退しました', '署名を辞退したことを依頼元の事業所に記録しました。');
    });
  }

  /** The document as it will be printed (behind the 暗証番号, when there is one). */
  @Get('document')
  async document(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token, '印刷される書類（A4）を開けません'), async () => {
      const { document, signer } = await this.links.open(token);
      if (isLocked(signer)) throw lockedError();
      if (!this.hasAccess(request, signer)) throw new DomainError('ACCESS_CODE_REQUIRED', '暗証番号を入力してください');
      this.sendFormHtml(reply, document, document.formId, document.version.data);
    });
  }

  /** The network's 利用目的, to read on a phone as the signing page reads its document. */
  @Get('purpose')
  async purpose(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token, '利用目的のページを開けません'), async () => {
      const { document } = await this.links.open(token);
      const disclosure = this.disclosureOf(document);
      if (!disclosure) throw new DomainError('NOT_FOUND', 'この書類に添える利用目的はありません');
      const { form } = this.networks.getForm(document.networkId, disclosure);
      this.views.send(reply, 200, 'sign-purpose', {
        title: form.title,
        formTitle: form.title,
        reading: readingHtml(this.networks, document.networkId, disclosure, {}),
        printUrl: `/sign/${token}/purpose/print`,
        backUrl: `/sign/${token}`,
      });
    });
  }

  /** The 利用目的 as printed. */
  @Get('purpose/print')
  async purposePrinted(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await guardLinkPage(this.views, reply, this.linkPage(token, '利用目的（A4）を開けません'), async () => {
      const { document } = await this.links.open(token);
      const disclosure = this.disclosureOf(document);
      if (!disclosure) throw new DomainError('NOT_FOUND', 'この書類に添える利用目的はありません');
      this.sendFormHtml(reply, document, disclosure, {});
    });
  }

  /** How this link's refusals are titled, and whom they name (the office that sent it, with its phone). */
  private linkPage(token: string, title = '署名のページを開けません') {
    return { title, contact: () => this.contacts.forSigningLink(token) };
  }

  private showSignPage(
    reply: FastifyReply,
    status: number,
    token: string,
    { document, role, signer }: OpenedLink,
    errors: FieldErrors = [],
    values: SignatureInput = {},
  ): void {
    const urls = {
      action: `/sign/${token}`,
      previewUrl: `/sign/${token}/document`,
      purposeUrl: this.disclosureOf(document) ? `/sign/${token}/purpose` : null,
      declineAction: `/sign/${token}/decline`,
    };
    const reading = readingHtml(this.networks, document.networkId, document.formId, document.version.data, document.version.id);
    showSignPage(this.views, reply, status, { document, role, signer, urls, reading }, errors, values);
  }

  /**
   * What happens next, as it will happen: only the patient's side is e-mailed its exemplar (and only where the
   * form's custody rule gives the patient one); a staff member is promised no e-mail.
   */
  private doneMessage({ document, role }: OpenedLink, completed: boolean): string {
    const { custody } = this.networks.getForm(document.networkId, document.formId).form;
    const mailed = ['patient', 'family', 'proxy'].includes(role.kind) && [...custody.originals, ...custody.copies].includes('patient');
    if (!completed) return '署名が完了しました。ありがとうございました。このページは閉じてかまいません。';
    return mailed
      ? '署名が完了しました。全員の署名がそろったので、署名済みの文書を準備しています。準備ができたらメールでお知らせします。'
      : '署名が完了しました。全員の署名がそろいました。署名済みの書類は依頼元の事業所が保管します。このページは閉じてかまいません。';
  }

  /** The network's disclosure (利用目的) that a consent's signers may read first, if it has one. */
  private disclosureOf(document: SigningDocument): string | null {
    const forms = this.networks.getNetwork(document.networkId).forms;
    const signing = forms.find((f) => f.id === document.formId);
    return signing?.purpose === 'consent' ? (forms.find((f) => f.purpose === 'disclosure')?.id ?? null) : null;
  }

  private sendFormHtml(reply: FastifyReply, document: SigningDocument, formId: string, data: Record<string, unknown>): void {
    const { form } = this.networks.getForm(document.networkId, formId);
    const html = this.networks.engine.wrapDocument([this.networks.formHtml(document.networkId, formId, data)], form.title, {
      screen: true,
    });
    reply.type('text/html; charset=utf-8').headers(DOCUMENT_CSP_HEADER).header('Cache-Control', 'private, no-store').send(fitToPhone(html));
  }

  /** The cookie is checked exactly as signing checks it: its secret must match the one the 暗証番号 granted. */
  private hasAccess(request: FastifyRequest, signer: LinkSigner): boolean {
    return accessGranted(signer, this.accessSecret(request, signer.id));
  }

  private accessSecret(request: FastifyRequest, signerId: string): string | null {
    return (request.cookies?.[`${ACCESS_COOKIE}_${signerId}`] as string | undefined) ?? null;
  }
}
