import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { SigningOverviewService } from '../signing/signing-overview.service';
import { SigningService } from '../signing/signing.service';
import { SigningOverviewItem, SigningRequestView } from '../signing/signing.types';
import { VisitsService } from '../visits/visits.service';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

const SIGNING_LABELS: Record<string, string> = {
  open: '署名待ち',
  completed: '完了',
  declined: '辞退',
  expired: '期限切れ',
  cancelled: '取消',
};
/** The refusals told on the document's page, and what each step's refusal begins with. */
const REFUSALS = { also: ['NOT_YOUR_TURN', 'REQUEST_CLOSED'] as DomainErrorCode[] };
const REFUSED_STEP: Record<string, string> = { cancel: '', resend: 'リンクを再送できません: ', switch: '切り替えられません: ' };
const VISIT_REFUSAL_LABELS: Record<string, string> = {
  DOCUMENT_CHANGED: '書類の取り下げ・訂正',
  ALREADY_SIGNED: '別の方法で署名済み',
  REQUEST_CLOSED: '署名依頼の取消・終了',
  VISIT_EXPIRED: '訪問の期限切れ',
  INVALID_REQUEST: '署名の内容の不備',
  NOT_YOUR_TURN: '署名の順番前',
};
const SIGNER_LABELS: Record<string, string> = { pending: '未署名', signed: '署名済', declined: '辞退' };

/**
 * Signing as the office oversees it: the overview of its requests, and the steps that need a confirmation
 * (cancelling a request, switching an e-mail signer to in person) or may be refused (a re-sent link).
 */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller()
export class SigningOfficeController {
  constructor(
    private readonly views: WebViews,
    private readonly signing: SigningService,
    private readonly overview: SigningOverviewService,
    private readonly visits: VisitsService,
  ) {}

  @Get('office/signing')
  @PageName('署名依頼の状況')
  async list(@User() user: CurrentUser, @Res() reply: FastifyReply): Promise<void> {
    const { open, closed } = await this.overview.overview(user);
    const soon = Date.now() + 2 * 86_400_000;
    const item = (r: SigningOverviewItem) => ({
      ...r,
      statusLabel: SIGNING_LABELS[r.status],
      expiringSoon: r.status === 'open' && r.expiresAt.getTime() < soon,
      signers: r.signers.map((s) => ({
        ...s,
        statusLabel: SIGNER_LABELS[s.status],
        expiredAt: r.status === 'expired' && s.status === 'pending' ? r.expiresAt : null,
      })),
    });
    const visits = (await this.visits.overview(user)).map((v) => ({
      ...v,
      refused: v.refused.map((r) => ({ ...r, label: VISIT_REFUSAL_LABELS[r.code] ?? r.code })),
    }));
    this.views.send(reply, 200, 'signing-overview', { title: '署名依頼の状況', open: open.map(item), closed: closed.map(item), visits });
  }

  @Get('documents/:id/signing-requests/:requestId/cancel')
  @PageName('署名依頼の取り消し')
  async confirmCancel(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const request = await this.openRequest(user, id, requestId, origin);
    const told = request.signers.filter((s) => s.email && s.sentAt && s.status !== 'declined');
    this.views.send(reply, 200, 'signing-confirm', {
      title: '署名依頼の取り消し',
      back: `/documents/${id}`,
      lead: 'この署名依頼を取り消します。送ったリンクはすべて使えなくなり、署名済みの分も使われません。',
      items: told.map((s) => `${s.name}（${s.roleLabel}）${s.email}`),
      itemsHeading: told.length ? '次の方に、取り消したことをメールでお知らせします' : null,
      action: `/documents/${id}/signing-requests/${requestId}/cancel`,
      submit: '取り消す',
      danger: true,
    });
  }

  @Post('documents/:id/signing-requests/:requestId/cancel')
  @PageName('署名依頼の取り消し')
  @ShowFormOnError('refused', REFUSALS)
  async cancel(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const done = await this.signing.cancel(user, requestId, origin);
    const told = done.signers.filter((s) => s.email && s.sentAt && s.status !== 'declined').length;
    this.back(reply, id, `署名依頼を取り消しました${told ? `（${told}名にメールでお知らせしました）` : ''}`);
  }

  @Post('documents/:id/signing-requests/:requestId/signers/:signerId/resend')
  @PageName('リンクの再送')
  @ShowFormOnError('refused', REFUSALS)
  async resend(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.signing.resend(user, requestId, signerId, origin);
    this.back(reply, id, '新しいリンクを送りました（前のリンクは使えなくなりました）');
  }

  @Get('documents/:id/signing-requests/:requestId/signers/:signerId/switch')
  @PageName('対面での署名に切り替え')
  async confirmSwitch(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const request = await this.openRequest(user, id, requestId, origin);
    const signer = request.signers.find((s) => s.id === signerId && s.status === 'pending' && s.method === 'email');
    if (!signer) throw new DomainError('NOT_FOUND', 'メールで署名を待っている署名者が見つかりません');
    this.views.send(reply, 200, 'signing-confirm', {
      title: '対面での署名に切り替える',
      back: `/documents/${id}`,
      lead: `${signer.name} さん（${signer.roleLabel}）は、メールのリンクで署名する設定です。対面に切り替えると、この事業所の端末で、職員の立会いのもとで署名します。`,
      items: [
        '送ったリンクは使えなくなります（暗証番号の確認もなくなります）。',
        'ご本人であることを、職員が対面で確かめてください。',
        '切り替えた日時と職員の名前は、監査ログと封緘した PDF の監査記録に残ります。',
      ],
      itemsHeading: '切り替える前に',
      action: `/documents/${id}/signing-requests/${requestId}/signers/${signerId}/switch`,
      submit: '対面に切替',
      danger: false,
    });
  }

  @Post('documents/:id/signing-requests/:requestId/signers/:signerId/switch')
  @PageName('対面での署名に切り替え')
  @ShowFormOnError('refused', REFUSALS)
  async switchToInPerson(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Param('signerId') signerId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.signing.switchToInPerson(user, requestId, signerId, origin);
    this.back(reply, id, '対面での署名に切り替えました。「この端末で署名」から署名できます');
  }

  private async openRequest(user: CurrentUser, id: string, requestId: string, origin: RequestOrigin): Promise<SigningRequestView> {
    const request = (await this.signing.forDocument(user, id, origin)).find((r) => r.id === requestId);
    if (!request) throw new DomainError('NOT_FOUND', '署名依頼が見つかりません');
    if (request.status !== 'open') throw new DomainError('REQUEST_CLOSED', 'この署名依頼は既に終了しています');
    return request;
  }

  /** A refusal the office can act on (out of turn, already closed…), told as an error on the document's page. */
  refused(form: FormAgain): void {
    const step = REFUSED_STEP[form.request.url.split('?')[0].split('/').pop() ?? ''] ?? '';
    form.reply.redirect(`/documents/${form.params.id}?error=${encodeURIComponent(step + form.message)}`, 303);
  }

  private back(reply: FastifyReply, id: string, message: string): void {
    reply.redirect(`/documents/${id}?message=${encodeURIComponent(message)}`, 303);
  }
}
