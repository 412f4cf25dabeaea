import { DOCUMENT_CSP_HEADER } from '../common/content-security';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { Origin, RequestOrigin } from '../common/request-origin';
import { NetworksService } from '../networks/networks.service';
import { ApplicationApprovalService } from '../onboarding/application-approval.service';
import { ApplicationsService } from '../onboarding/applications.service';
import { InvitationsService } from '../onboarding/invitations.service';
import { APPLICATION_STATUS_LABELS, Application, PLEDGE_METHOD_LABELS } from '../onboarding/onboarding.types';
import { MessageQueryDto, RejectFormDto } from './dto/desk-forms.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

export const INVITATION_LABELS: Record<string, string> = { pending: '未設定（招待中）', expired: '招待の期限切れ', accepted: '設定済み' };

/** The 事務局 reviews applications: reads the filled application and pledge, approves or rejects with a reason. */
@ApiExcludeController()
@Roles('secretariat')
@Controller('secretariat/applications')
export class SecretariatApplicationsController {
  constructor(
    private readonly views: WebViews,
    private readonly applications: ApplicationsService,
    private readonly approval: ApplicationApprovalService,
    private readonly invitations: InvitationsService,
    private readonly networks: NetworksService,
  ) {}

  @Get()
  @PageName('利用申込の一覧')
  async list(@User() user: CurrentUser, @Res() reply: FastifyReply): Promise<void> {
    const all = await this.applications.list(user);
    const label = (a: Application) => ({ ...a, statusLabel: APPLICATION_STATUS_LABELS[a.status] });
    this.views.send(reply, 200, 'applications', {
      title: '利用申込の審査',
      networkName: this.networks.getNetwork(user.networkId!).name,
      networkId: user.networkId,
      pending: all.filter((a) => a.status === 'pending').map(label),
      decided: all
        .filter((a) => a.status !== 'pending')
        .slice(0, 50)
        .map(label),
    });
  }

  @Get(':id')
  @PageName('利用申込')
  async show(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Query() query: MessageQueryDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.showApplication(reply, 200, user, id, origin, { message: query.message ?? null });
  }

  /** A form of the application as it will be printed: the filled application, or the pledge as it will be issued. */
  @Get(':id/forms/:which')
  @PageName('利用申込の書類')
  async form(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('which') which: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const application = await this.applications.get(user, id, origin);
    const form = this.applications.formsOf(application).find((f) => f.which === which);
    if (!form) throw new DomainError('NOT_FOUND', 'この申込にその様式はありません');
    const html = this.networks.engine.wrapDocument([this.networks.formHtml(application.networkId, form.formId, form.data)], form.label, {
      screen: true,
    });
    reply
      .type('text/html; charset=utf-8')
      .headers(DOCUMENT_CSP_HEADER)
      .header('Cache-Control', 'private, no-store')
      .send(html.replace('<head>', '<head><meta name="viewport" content="width=840">'));
  }

  @Post(':id/approve')
  @PageName('利用申込の承認')
  async approve(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const application = await this.approval.approve(user, id, origin);
    const message = `承認しました。「${application.officeName}」を登録し、管理者（${application.managerEmail}）に招待メールを送りました`;
    reply.redirect(`/secretariat/applications/${id}?message=${encodeURIComponent(message)}`, 303);
  }

  @Post(':id/reject')
  @PageName('利用申込の却下')
  async reject(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RejectFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const reason = body.reason?.trim() ?? '';
    if (!reason)
      return this.showApplication(reply, 400, user, id, origin, {
        rejectError: '却下の理由を入力してください（申込者にメールで伝えます）',
      });
    const application = await this.applications.reject(user, id, reason, origin);
    const message = `却下しました。理由を ${application.managerEmail} へメールで伝えました`;
    reply.redirect(`/secretariat/applications/${id}?message=${encodeURIComponent(message)}`, 303);
  }

  @Post(':id/accounts/:userId/resend')
  @PageName('招待メールの再送')
  async resend(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('userId') userId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const account = await this.invitations.resend(user, userId, origin);
    const message = `${account.email} に新しい招待メールを送りました（前のリンクは使えなくなりました）`;
    reply.redirect(`/secretariat/applications/${id}?message=${encodeURIComponent(message)}`, 303);
  }

  private async showApplication(
    reply: FastifyReply,
    status: number,
    user: CurrentUser,
    id: string,
    origin: RequestOrigin,
    extra: { message?: string | null; rejectError?: string },
  ): Promise<void> {
    const application = await this.applications.get(user, id, origin);
    const accounts = application.officeId ? await this.invitations.accounts(application.officeId) : [];
    this.views.send(reply, status, 'application', {
      title: `利用申込 ${application.number}`,
      application: {
        ...application,
        statusLabel: APPLICATION_STATUS_LABELS[application.status],
        pledgeLabel: application.pledgeMethod ? PLEDGE_METHOD_LABELS[application.pledgeMethod] : null,
        pending: application.status === 'pending',
        managerEmailTaken: application.status === 'pending' && (await this.applications.managerEmailTaken(application)),
      },
      forms: this.applications.formsOf(application).map((f) => ({ ...f, url: `/secretariat/applications/${id}/forms/${f.which}` })),
      accounts: accounts.map((a) => ({ ...a, stateLabel: a.state ? INVITATION_LABELS[a.state] : '—', canResend: a.state !== 'accepted' })),
      ...extra,
    });
  }
}
