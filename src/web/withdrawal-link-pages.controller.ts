import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/current-user';
import { RateLimit } from '../common/rate-limit.guard';
import { Origin, RequestOrigin } from '../common/request-origin';
import { FamilyContactService } from '../signing/family-contact.service';
import { ConsentWithdrawalService } from '../rights/consent-withdrawal.service';
import { WithdrawLinkFormDto } from './dto/patient-rights-forms.dto';
import { PinFormDto } from './dto/pin-form.dto';
import { familyAccessSecret, grantFamilyAccess, guardFamilyLink } from './family-link.view';
import { showSignMessage } from './signing-page.view';
import { WebViews } from './web.views';

/**
 * The family's own withdrawal of a consent, through the link in their copy e-mail: on a phone, no log-in.
 * A link whose consent is already withdrawn (or erased, or unknown) gets a page saying so; an expired one names the
 * office and its phone. Where the signer had a 暗証番号, the link asks for it first (family-link.view.ts).
 */
@ApiExcludeController()
@Public()
@Controller('withdraw/:token')
export class WithdrawalLinkPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly withdrawals: ConsentWithdrawalService,
    private readonly contacts: FamilyContactService,
  ) {}

  /** How this link's refusals are titled, and whom they name. */
  private linkPage(token: string) {
    return {
      title: '同意の撤回のページを開けません',
      contact: () => this.contacts.forWithdrawalLink(token),
      nextSteps: { LINK_EXPIRED: '同意の撤回は、お電話・書面・来所でいつでもお受けします。事業所にご連絡ください。' },
    };
  }

  @Get()
  async page(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await guardFamilyLink(this.views, reply, `/withdraw/${token}`, this.linkPage(token), async () => {
      const page = await this.withdrawals.linkPage(token, familyAccessSecret(request));
      this.views.send(reply, 200, 'withdraw', { title: '同意の撤回', ...page, action: `/withdraw/${token}`, values: {} });
    });
  }

  /** The 暗証番号 at a withdrawal link: the signer's counter and lock, as on the signing page. */
  @RateLimit('pin')
  @Post('pin')
  async pin(@Param('token') token: string, @Body() body: PinFormDto, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    await guardFamilyLink(this.views, reply, `/withdraw/${token}`, this.linkPage(token), async () => {
      const secret = await this.withdrawals.unlockLink(token, body.code ?? '', origin);
      if (secret) grantFamilyAccess(reply, `/withdraw/${token}`, secret);
      reply.redirect(`/withdraw/${token}`, 303);
    });
  }

  @Post()
  async withdraw(
    @Param('token') token: string,
    @Body() body: WithdrawLinkFormDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await guardFamilyLink(this.views, reply, `/withdraw/${token}`, this.linkPage(token), async () => {
      const secret = familyAccessSecret(request);
      const page = await this.withdrawals.linkPage(token, secret);
      if (body.confirm !== 'on') {
        const error = '撤回する場合は「同意を撤回します」にチェックを入れてください';
        this.views.send(reply, 400, 'withdraw', { title: '同意の撤回', ...page, action: `/withdraw/${token}`, values: body, error });
        return;
      }
      await this.withdrawals.withdrawByLink(token, { note: body.note }, secret, origin);
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
