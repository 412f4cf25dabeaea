import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../accounts/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { ConsentWithdrawalService } from '../rights/consent-withdrawal.service';
import { WithdrawLinkFormDto } from './dto/patient-rights-forms.dto';
import { guardLinkPage, showSignMessage } from './signing-page.view';
import { WebViews } from './web.views';

/**
 * The family's own withdrawal of a consent, through the link in their copy e-mail: on a phone, no log-in.
 * A link whose consent is already withdrawn (or erased, or unknown) gets a page saying so.
 */
@ApiExcludeController()
@Public()
@Controller('withdraw/:token')
export class WithdrawalLinkPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly withdrawals: ConsentWithdrawalService,
  ) {}

  @Get()
  async page(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await guardLinkPage(this.views, reply, async () => {
      const page = await this.withdrawals.linkPage(token);
      this.views.send(reply, 200, 'withdraw', { title: '同意の撤回', ...page, action: `/withdraw/${token}`, values: {} });
    });
  }

  @Post()
  async withdraw(
    @Param('token') token: string,
    @Body() body: WithdrawLinkFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardLinkPage(this.views, reply, async () => {
      const page = await this.withdrawals.linkPage(token);
      if (body.confirm !== 'on') {
        const error = '撤回する場合は「同意を撤回します」にチェックを入れてください';
        this.views.send(reply, 400, 'withdraw', { title: '同意の撤回', ...page, action: `/withdraw/${token}`, values: body, error });
        return;
      }
      await this.withdrawals.withdrawByLink(token, { note: body.note }, origin);
      showSignMessage(
        this.views,
        reply,
        200,
        '撤回を受け付けました',
        `${page.officeName}への同意の撤回を受け付けました。撤回受付票を準備でき次第、メールでお送りします。このページは閉じてかまいません。`,
      );
    });
  }
}
