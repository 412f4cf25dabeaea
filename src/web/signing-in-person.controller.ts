import { DOCUMENT_CSP_HEADER } from '../common/content-security';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../accounts/auth.service';
import { deviceTokensOf } from '../accounts/login-devices';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { RateLimit } from '../common/rate-limit.guard';
import { SignerRole } from '../networks/catalogue.types';
import { ReauthFormDto } from './dto/account-forms.dto';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { Origin, RequestOrigin, originOf } from '../common/request-origin';
import { DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { SigningService } from '../signing/signing.service';
import { SignatureInput } from '../signing/signing.types';
import { SignatureFormDto } from './dto/signature-form.dto';
import { FieldErrors, fitToPhone, showSignPage } from './signing-page.view';
import { holdKiosk, releaseKiosk } from './kiosk';
import { readingHtml } from '../networks/reading-view';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** The signing page on the office's device, for a signer who is there in person (the staff member witnesses). */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('documents/:id/signing/:requestId/:signerId')
export class InPersonSigningController {
  constructor(
    private readonly views: WebViews,
    private readonly signing: SigningService,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @PageName('対面での署名')
  async page(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { signer, role } = await this.load(user, { id, requestId, signerId }, origin);
    // Set up for e-mail: staff first switch them to in person, on its own confirmed step.
    if (signer.method === 'email') return reply.redirect(`/documents/${id}/signing-requests/${requestId}/signers/${signerId}/switch`, 303);
    if (isPatientSide(role)) holdKiosk(reply, `/documents/${id}/signing/${requestId}/${signerId}`);
    await this.showPage(reply, 200, user, { id, requestId, signerId }, origin);
  }

  @Get('document')
  @PageName('対面での署名')
  async preview(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { document } = await this.load(user, { id, requestId, signerId }, origin);
    const html = this.networks.engine.wrapDocument(
      [this.networks.formHtml(document.networkId, document.formId, document.version.data)],
      document.formTitle,
      { screen: true },
    );
    reply.type('text/html; charset=utf-8').headers(DOCUMENT_CSP_HEADER).header('Cache-Control', 'private, no-store').send(fitToPhone(html));
  }

  @Post()
  @PageName('対面での署名')
  @ShowFormOnError('signAgain')
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
    } catch (error) {
      // Refused whatever was entered (out of turn, not switched to in person): said on the document's page.
      if (error instanceof DomainError && ['NOT_YOUR_TURN', 'INVALID_STATE'].includes(error.code))
        return reply.redirect(`/documents/${id}?message=${encodeURIComponent(`署名できません: ${error.message}`)}`, 303);
      throw error;
    }
    const { role } = await this.load(user, { id, requestId, signerId }, origin);
    // The patient's side signed on the office's device: it stays a signing screen until staff take it back.
    if (isPatientSide(role)) return this.views.send(reply, 200, 'sign-handback', this.handback({ id, requestId, signerId }, true));
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('対面での署名を記録しました')}`, 303);
  }

  /** The signing screen again: what was entered kept, each message beside its field. */
  async signAgain({ request, reply, params, values, errors, status }: FormAgain): Promise<void> {
    const ids = { id: params.id, requestId: params.requestId, signerId: params.signerId };
    await this.showPage(reply, status, request.user!, ids, originOf(request), errors, values);
  }

  /** Staff take the device back from the signer: only with their own password. */
  @Get('handback')
  @PageName('端末を事業所に戻す')
  handbackPage(
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Res() reply: FastifyReply,
  ) {
    this.views.send(reply, 200, 'sign-handback', this.handback({ id, requestId, signerId }, false));
  }

  @RateLimit('login')
  @Post('handback')
  @PageName('端末を事業所に戻す')
  @ShowFormOnError('handbackAgain')
  async handBack(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: ReauthFormDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.auth.reauthenticate(user, body.password, origin, deviceTokensOf(request)).catch((error: unknown) => {
      // Refused: the same screen again, saying why beside the field (nothing leaves the signing screen).
      if (!(error instanceof DomainError) || error.code !== 'REAUTH_REQUIRED') throw error;
      throw new DomainError('INVALID_REQUEST', error.message, error.details);
    });
    releaseKiosk(reply);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('対面での署名の画面を終了しました')}`, 303);
  }

  handbackAgain({ reply, params, errors, message }: FormAgain): void {
    const ids = { id: params.id, requestId: params.requestId, signerId: params.signerId };
    this.views.send(reply, 400, 'sign-handback', { ...this.handback(ids, false), error: errors[0]?.message ?? message });
  }

  private handback(ids: { id: string; requestId: string; signerId: string }, signed: boolean) {
    return {
      title: signed ? '署名しました' : '職員に戻す',
      kiosk: true,
      signed,
      action: `/documents/${ids.id}/signing/${ids.requestId}/${ids.signerId}/handback`,
    };
  }

  private async showPage(
    reply: FastifyReply,
    status: number,
    user: CurrentUser,
    ids: { id: string; requestId: string; signerId: string },
    origin: RequestOrigin,
    errors: FieldErrors = [],
    values: SignatureInput = {},
  ): Promise<void> {
    const { document, role, signer } = await this.load(user, ids, origin);
    const base = `/documents/${ids.id}/signing/${ids.requestId}/${ids.signerId}`;
    const urls = { action: base, previewUrl: `${base}/document`, purposeUrl: null, declineAction: null, handbackUrl: `${base}/handback` };
    const reading = readingHtml(this.networks, document.networkId, document.formId, document.version.data);
    showSignPage(
      this.views,
      reply,
      status,
      { document, role, signer, urls, reading, inPerson: true, kiosk: isPatientSide(role) },
      errors,
      values,
    );
  }

  private async load(user: CurrentUser, ids: { id: string; requestId: string; signerId: string }, origin: RequestOrigin) {
    const document = await this.documents.writable(user, ids.id, origin);
    const request = (await this.signing.forDocument(user, ids.id, origin)).find((r) => r.id === ids.requestId);
    const signer = request?.signers.find((s) => s.id === ids.signerId);
    if (!request || !signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    const role = this.networks.getForm(document.networkId, document.formId).form.signers.find((r) => r.role === signer.role)!;
    return { document, role, signer };
  }
}

/** The patient, a family member or a proxy: holding the office's device, they see a signing screen and nothing else. */
function isPatientSide(role: SignerRole): boolean {
  return role.kind === 'patient' || role.kind === 'family' || role.kind === 'proxy';
}
