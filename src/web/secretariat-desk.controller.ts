import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { FollowUpsService } from '../follow-ups/follow-ups.service';
import { OfficesService } from '../accounts/offices.service';
import { NetworksService } from '../networks/networks.service';
import { RegistrationsService } from '../registrations/registrations.service';
import { KIND_LABELS, LineStatus } from '../registrations/registrations.types';
import { lineView } from './registration-lines.view';
import { DeskQueryDto, DeskTextFormDto } from './dto/desk-forms.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** Lines per page of the desk: oldest first, the rest a click away (and counted). */
const DESK_PAGE_SIZE = 50;

/** The 事務局's registration desk (lines to work off in MCS, questions to offices) and the one-click follow-up. */
@ApiExcludeController()
@Roles('secretariat')
@Controller('secretariat')
export class SecretariatDeskController {
  constructor(
    private readonly views: WebViews,
    private readonly registrations: RegistrationsService,
    private readonly followUps: FollowUpsService,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
  ) {}

  @Get('registrations')
  @PageName('登録依頼')
  async desk(@User() user: CurrentUser, @Query() query: DeskQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const status = (query.status ?? 'open') as LineStatus | 'all';
    const page = query.page ?? 1;
    const office = query.office;
    const [{ lines, total }, offices] = await Promise.all([
      this.registrations.page(
        user,
        status === 'all' ? undefined : status,
        { limit: DESK_PAGE_SIZE, offset: (page - 1) * DESK_PAGE_SIZE },
        'oldest',
        office,
      ),
      this.offices.inNetwork(user.networkId!),
    ]);
    const pages = Math.max(1, Math.ceil(total / DESK_PAGE_SIZE));
    const officeParam = office ? `&office=${office}` : '';
    const href = (to: number) => `/secretariat/registrations?status=${status}${officeParam}&page=${to}`;
    const tab = (value: string, label: string) => ({
      value,
      label,
      current: value === status,
      href: `/secretariat/registrations?status=${value}${officeParam}`,
    });
    this.views.send(reply, 200, 'desk', {
      title: '登録依頼',
      networkName: this.networks.getNetwork(user.networkId!).name,
      lines: lines.map(lineView),
      paging: {
        total,
        first: lines.length > 0 ? (page - 1) * DESK_PAGE_SIZE + 1 : 0,
        last: (page - 1) * DESK_PAGE_SIZE + lines.length,
        page,
        pages,
        previous: page > 1 ? href(Math.min(page - 1, pages)) : null,
        next: page < pages ? href(page + 1) : null,
      },
      tabs: [tab('open', '未対応'), tab('done', '対応済'), tab('all', 'すべて')],
      offices: offices.map((o) => ({ id: o.id, name: o.name, selected: o.id === office })),
      officeFilter: office ?? null,
      status,
      message: query.message ?? null,
    });
  }

  @Post('registrations/:id/done')
  @PageName('登録依頼')
  async done(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: DeskTextFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const line = await this.registrations.markDone(user, id, { mcsId: body.mcsId, note: body.note }, origin);
    this.back(reply, `${line.officeName} ${line.name}さんの${KIND_LABELS[line.kind]}を対応済みにしました`, body.office);
  }

  @Post('registrations/:id/questions')
  @PageName('登録依頼への質問')
  async ask(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: DeskTextFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const question = body.question?.trim() ?? '';
    if (!question) return this.back(reply, '質問を入力してください（何も送っていません）', body.office);
    const line = await this.registrations.ask(user, id, question, origin);
    this.back(reply, `${line.officeName}に${line.name}さんについて質問しました（管理者にメールでお知らせしました）`, body.office);
  }

  @Post('offices/:id/follow-up')
  @PageName('督促メール')
  @ShowFormOnError('followUpRefused')
  async followUp(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const sent = await this.followUps.send(user, id, origin);
    const count = sent.items.missing.length + sent.items.overdue.length + sent.items.questions.length;
    this.home(reply, `督促メール（${count}件）を ${sent.recipients.join('、')} へ送りました`);
  }

  /** The follow-up is a button on the 事務局's home page: why nothing was sent is told there (nothing to ask for…). */
  followUpRefused({ reply, message }: FormAgain): void {
    this.home(reply, message);
  }

  private home(reply: FastifyReply, message: string): void {
    reply.redirect(`/secretariat?message=${encodeURIComponent(message)}`, 303);
  }

  /** Back to the desk, filtered as it was. */
  private back(reply: FastifyReply, message: string, office?: string): void {
    reply.redirect(`/secretariat/registrations?${office ? `office=${office}&` : ''}message=${encodeURIComponent(message)}`, 303);
  }
}
