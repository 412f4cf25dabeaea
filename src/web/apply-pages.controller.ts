import { DOCUMENT_CSP_HEADER } from '../common/content-security';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RateLimit } from '../common/rate-limit.guard';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deviceTokensOf } from '../accounts/login-devices';
import { setSessionCookie } from '../accounts/auth.controller';
import { AuthService } from '../accounts/auth.service';
import { Public } from '../common/auth/current-user';
import { DOMAIN_ERROR_STATUS, DomainError, FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin, originOf } from '../common/request-origin';
import { LoadedNetwork } from '../networks/catalogue.loader';
import { NetworksService } from '../networks/networks.service';
import { ApplicationsService } from '../onboarding/applications.service';
import { InvitationsService, PASSWORD_RULE } from '../onboarding/invitations.service';
import { applicationForms, ownFields } from '../onboarding/onboarding.forms';
import { ApplicationInput, PLEDGE_METHOD_LABELS, PLEDGE_METHODS } from '../onboarding/onboarding.types';
import { ApplyFormDto, InviteFormDto } from './dto/apply-form.dto';
import { anchorFor, buildFormModel } from './form-model';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** The office's own record and manager, with the label the network's application form gives each (when it has one). */
const TOP_FIELDS = [
  { key: 'officeName', source: 'office.name', label: '事業所名', type: 'text', autocomplete: 'organization', required: true },
  { key: 'postalCode', source: 'office.postalCode', label: '郵便番号', type: 'text', autocomplete: 'postal-code', required: false },
  { key: 'address', source: 'office.address', label: '住所', type: 'text', autocomplete: 'street-address', required: true },
  { key: 'phone', source: 'office.phone', label: '電話番号', type: 'tel', autocomplete: 'tel', required: true },
  { key: 'managerName', source: 'manager.name', label: '管理者氏名', type: 'text', autocomplete: 'name', required: true },
  { key: 'managerEmail', source: null, label: '管理者メールアドレス', type: 'email', autocomplete: 'email', required: true },
] as const;

/** The public side of onboarding: applying to a network, and setting a password through an invitation. */
@ApiExcludeController()
@Public()
@Controller()
export class ApplyPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly networks: NetworksService,
    private readonly applications: ApplicationsService,
    private readonly invitations: InvitationsService,
    private readonly auth: AuthService,
  ) {}

  @Get('apply')
  @PageName('利用申込')
  index(@Res() reply: FastifyReply): void {
    const networks = this.networks.list().map((n) => ({ id: n.id, name: n.name, operator: n.operator }));
    this.views.send(reply, 200, 'apply-index', { title: '利用の申込', networks });
  }

  @Get('apply/:network')
  @PageName('利用申込')
  page(@Param('network') networkId: string, @Res() reply: FastifyReply): void {
    this.showApply(reply, 200, this.networks.getNetwork(networkId), {}, []);
  }

  /** The office pledge as it will be printed (blank), for the applicant to read before applying. */
  @Get('apply/:network/pledge')
  @PageName('利用申込の誓約書')
  pledge(@Param('network') networkId: string, @Res() reply: FastifyReply): void {
    const { pledge } = applicationForms(this.networks.getNetwork(networkId));
    if (!pledge) throw new DomainError('NOT_FOUND', 'このネットワークには事業所の誓約書はありません');
    const html = this.networks.engine.wrapDocument([this.networks.formHtml(networkId, pledge.id, {})], pledge.title, { screen: true });
    reply
      .type('text/html; charset=utf-8')
      .headers(DOCUMENT_CSP_HEADER)
      .send(html.replace('<head>', '<head><meta name="viewport" content="width=840">'));
  }

  @Post('apply/:network')
  @PageName('利用申込')
  @RateLimit('public')
  @ShowFormOnError('applyAgain')
  async submit(
    @Param('network') networkId: string,
    @Body() body: ApplyFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const network = this.networks.getNetwork(networkId);
    const input = { ...(body as Record<string, unknown>), network: network.id } as unknown as ApplicationInput;
    const application = await this.applications.submit(input, origin);
    this.views.send(reply, 201, 'apply-done', { title: '利用申込を受け付けました', network, application });
  }

  applyAgain({ reply, params, values, errors, status }: FormAgain): void {
    this.showApply(reply, status, this.networks.getNetwork(params.network), values, errors);
  }

  @Get('invite/:token')
  @PageName('パスワードの設定（招待）')
  async invitation(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await this.guardInvitation(reply, async () => this.showInvite(reply, 200, token, []));
  }

  @Post('invite/:token')
  @PageName('パスワードの設定（招待）')
  @RateLimit('public')
  @ShowFormOnError('inviteAgain')
  async accept(
    @Param('token') token: string,
    @Body() body: InviteFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.guardInvitation(reply, async () => {
      const password = body.password ?? '';
      const account = await this.invitations.accept(token, password, originOf(request));
      const login = await this.auth.login(account.email, password, originOf(request), deviceTokensOf(request));
      if (login.kind !== 'session') return reply.redirect('/login', 303);
      setSessionCookie(request, reply, login);
      const next = login.mfaEnrolmentRequired ? '/account/mfa' : '/office';
      reply.redirect(`${next}?message=${encodeURIComponent('パスワードを設定しました。ようこそ')}`, 303);
    });
  }

  async inviteAgain({ reply, params, errors, status }: FormAgain): Promise<void> {
    await this.guardInvitation(reply, () => this.showInvite(reply, status, params.token, errors));
  }

  private showApply(
    reply: FastifyReply,
    status: number,
    network: LoadedNetwork,
    values: Record<string, unknown>,
    errors: FieldError[],
  ): void {
    const { application: form, pledge } = applicationForms(network);
    const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
    // The network's own word for a field (所在地, 施設又は組織名), where exactly one field of its form is filled from it.
    const labelOf = (source: string | null, fallback: string) => {
      const fields = source && form ? form.fields.filter((f) => form.prefill[f.key] === source) : [];
      return fields.length === 1 ? fields[0].label : fallback;
    };
    const data = (values.data && typeof values.data === 'object' ? values.data : {}) as Record<string, unknown>;
    this.views.send(reply, status, 'apply', {
      title: `${network.name} 利用申込`,
      network,
      form,
      top: TOP_FIELDS.map((f) => ({
        ...f,
        label: labelOf(f.source, f.label),
        value: typeof values[f.key] === 'string' ? values[f.key] : '',
        error: errorOf(f.key),
      })),
      inputs: form ? buildFormModel(ownFields(form), data, errors, 'data') : [],
      pledge: pledge
        ? {
            label: `${pledge.number} ${pledge.title}`,
            note: pledge.custody.note ?? null,
            error: errorOf('pledgeMethod'),
            methods: PLEDGE_METHODS.map((value) => ({ value, label: PLEDGE_METHOD_LABELS[value], checked: values.pledgeMethod === value })),
          }
        : null,
      errors: errors.map((e) => ({ ...e, anchor: anchorFor(e.path) })),
    });
  }

  private async showInvite(reply: FastifyReply, status: number, token: string, errors: FieldError[]): Promise<void> {
    const invitation = await this.invitations.open(token);
    const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
    this.views.send(reply, status, 'invite', {
      title: 'パスワードの設定',
      invitation,
      token,
      rule: PASSWORD_RULE,
      errors,
      error: { password: errorOf('password'), passwordConfirm: errorOf('passwordConfirm') },
    });
  }

  /** A link that cannot be used gets a page saying why (used, replaced, expired), with its status. */
  private async guardInvitation(reply: FastifyReply, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof DomainError) || !['LINK_INVALID', 'LINK_EXPIRED'].includes(error.code)) throw error;
      this.views.send(reply, DOMAIN_ERROR_STATUS[error.code], 'sign-message', { title: '招待リンクを開けません', message: error.message });
    }
  }
}
