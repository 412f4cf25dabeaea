import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLE_LABELS, UserSummary } from '../accounts/accounts.types';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { MfaService } from '../accounts/mfa.service';
import { USER_LIST_LIMIT, UsersService } from '../accounts/users.service';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { originOf } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { AdminUserSearchDto, MfaResetFormDto } from './dto/account-forms.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

const labelled = (user: UserSummary) => ({ ...user, roleLabel: ROLE_LABELS[user.role] });

/** The admin's users: find one, reset a lost second factor (after checking who asks), stop or restart an account. */
@ApiExcludeController()
@Roles('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly views: WebViews,
    private readonly users: UsersService,
    private readonly mfa: MfaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @PageName('利用者')
  async list(@Query() query: AdminUserSearchDto, @Res() reply: FastifyReply): Promise<void> {
    const users = await this.users.list(query.q);
    this.views.send(reply, 200, 'admin-users', {
      title: '利用者',
      users: users.map(labelled),
      q: query.q ?? '',
      truncated: users.length >= USER_LIST_LIMIT,
      limit: USER_LIST_LIMIT,
      mfaRequired: this.config.mfaRequired,
    });
  }

  @Get(':id')
  @PageName('利用者')
  async user(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    await this.show(reply, 200, id, {});
  }

  @Post(':id/mfa-reset')
  @PageName('2段階認証の再設定')
  async reset(
    @User() admin: CurrentUser,
    @Param('id') id: string,
    @Body() body: MfaResetFormDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (body.confirmed !== 'on')
      return this.show(reply, 400, id, { confirmError: '本人であることを確認してから、チェックを入れてください' });
    await this.mfa.reset(admin, id, originOf(request));
    await this.show(reply, 200, id, { message: '2段階認証を再設定しました。ログイン中の端末もすべてログアウトさせました。' });
  }

  @Post(':id/lock')
  @PageName('利用停止')
  @ShowFormOnError('userAgain')
  async lock(@User() admin: CurrentUser, @Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.setDisabled(admin, id, true, request, reply, '利用停止にしました。ログイン中の端末もすべてログアウトさせました。');
  }

  @Post(':id/unlock')
  @PageName('利用の再開')
  @ShowFormOnError('userAgain')
  async unlock(@User() admin: CurrentUser, @Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.setDisabled(admin, id, false, request, reply, '利用を再開しました。');
  }

  private async setDisabled(
    admin: CurrentUser,
    id: string,
    disabled: boolean,
    request: FastifyRequest,
    reply: FastifyReply,
    message: string,
  ): Promise<void> {
    await this.users.setDisabled(admin, id, disabled, originOf(request));
    await this.show(reply, 200, id, { message });
  }

  /** The user's page again, the refusal (自分のアカウントは利用停止にできません…) above its buttons. */
  async userAgain({ reply, params, status, message }: FormAgain): Promise<void> {
    await this.show(reply, status, params.id, { error: message });
  }

  private async show(reply: FastifyReply, status: number, id: string, notes: Record<string, string>): Promise<void> {
    const target = labelled(await this.users.summary(id));
    this.views.send(reply, status, 'admin-user', { title: `利用者: ${target.name}`, target, ...notes });
  }
}
