import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CreatedApiKey } from '../accounts/accounts.types';
import { ApiKeysService } from '../accounts/api-keys.service';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { CreateApiKeyDto } from '../accounts/dto/api-key.dto';
import { FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { CreateWebhookDto } from '../integrations/dto/webhook.dto';
import { CreatedWebhook, WEBHOOK_EVENTS, WebhookEventType, WebhookSummary } from '../integrations/integrations.types';
import { WebhooksService } from '../integrations/webhooks.service';
import { pagingOf } from './query-filter';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

const TITLE = '連携（API・Webhook）';

const DELIVERY_STATUS_LABELS: Record<string, string> = {
  pending: '再送待ち',
  delivered: '送信済み',
  failed: '失敗（再送を終了）',
  cancelled: '取りやめ',
};

interface Shown {
  message?: string | null;
  newKey?: CreatedApiKey | null;
  newWebhook?: CreatedWebhook | null;
  keyForm?: { values: Record<string, unknown>; errors: FieldError[] };
  hookForm?: { values: Record<string, unknown>; errors: FieldError[] };
}

/**
 * 「連携（API・Webhook）」 for an office's manager and for the 事務局: API keys (made, shown once, revoked) and
 * webhooks (added with the events ticked, each delivery with its answer, retried, tested).
 */
@ApiExcludeController()
@Roles('office_manager', 'secretariat')
@Controller('integrations')
export class IntegrationPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly keys: ApiKeysService,
    private readonly webhooks: WebhooksService,
  ) {}

  @Get()
  @PageName('連携（API・Webhook）')
  async page(@User() user: CurrentUser, @Res() reply: FastifyReply, @Query('message') message?: string): Promise<void> {
    await this.show(reply, 200, user, { message: typeof message === 'string' ? message.slice(0, 200) : null });
  }

  @Post('keys')
  @PageName('APIキーの作成')
  @ShowFormOnError('keyFormAgain')
  async createKey(@User() user: CurrentUser, @Body() body: CreateApiKeyDto, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const created = await this.keys.create(user, body.name, origin);
    await this.show(reply, 201, user, { newKey: created });
  }

  async keyFormAgain({ request, reply, values, errors, status }: FormAgain): Promise<void> {
    await this.show(reply, status, request.user!, { keyForm: { values, errors } });
  }

  @Post('keys/:id/revoke')
  @PageName('APIキーの取り消し')
  async revokeKey(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    await this.keys.revoke(user, id, origin);
    back(reply, '/integrations', 'APIキーを取り消しました。このキーはもう使えません');
  }

  @Post('webhooks')
  @PageName('Webhookの登録')
  @ShowFormOnError('hookFormAgain')
  async createWebhook(
    @User() user: CurrentUser,
    @Body() body: CreateWebhookDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ) {
    const created = await this.webhooks.create(user, body, origin);
    await this.show(reply, 201, user, { newWebhook: created });
  }

  async hookFormAgain({ request, reply, values, errors, status }: FormAgain): Promise<void> {
    await this.show(reply, status, request.user!, { hookForm: { values, errors } });
  }

  @Get('webhooks/:id')
  @PageName('Webhookの送信履歴')
  async webhook(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
    @Query('page') page?: string,
    @Query('message') message?: string,
  ): Promise<void> {
    const webhook = await this.webhooks.get(user, id);
    const requested = Number(page ?? 1);
    const result = await this.webhooks.deliveries(
      user,
      id,
      Number.isInteger(requested) && requested >= 1 ? Math.min(requested, 10_000) : 1,
    );
    const paging = pagingOf(result.page, result.total, result.pageSize, {}, `/integrations/webhooks/${webhook.id}`);
    this.views.send(reply, 200, 'integration-webhook', {
      title: 'Webhookの送信履歴',
      home: homeOf(user),
      message: typeof message === 'string' ? message.slice(0, 200) : null,
      webhook,
      stateLabel: stateLabel(webhook),
      events: webhook.events.map((type) => ({ type, label: WEBHOOK_EVENTS[type as WebhookEventType]?.label ?? type })),
      deliveries: result.deliveries.map((d) => ({ ...d, statusLabel: DELIVERY_STATUS_LABELS[d.status] ?? d.status })),
      paging,
      retrySpan: spanLabel(this.webhooks.retrySpanSeconds()),
    });
  }

  @Post('webhooks/:id/test')
  @PageName('Webhookのテスト送信')
  async test(@User() user: CurrentUser, @Param('id') id: string, @Res() reply: FastifyReply) {
    const webhook = await this.webhooks.get(user, id);
    await this.webhooks.test(user, webhook.id);
    back(
      reply,
      `/integrations/webhooks/${webhook.id}`,
      'テスト通知（webhook.test）を送りました。数秒後にこのページを開き直すと結果が表示されます',
    );
  }

  @Post('webhooks/:id/deliveries/:deliveryId/retry')
  @PageName('Webhookの再送')
  async retry(@User() user: CurrentUser, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Res() reply: FastifyReply) {
    const webhook = await this.webhooks.get(user, id);
    await this.webhooks.retry(user, webhook.id, deliveryId);
    back(reply, `/integrations/webhooks/${webhook.id}`, '再送しました。数秒後にこのページを開き直すと結果が表示されます');
  }

  @Post('webhooks/:id/delete')
  @PageName('Webhookの削除')
  async delete(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    await this.webhooks.delete(user, id, origin);
    back(reply, '/integrations', 'Webhookを削除しました。これ以降、通知は送りません');
  }

  private async show(reply: FastifyReply, status: number, user: CurrentUser, shown: Shown): Promise<void> {
    const [keys, webhooks, events] = await Promise.all([this.keys.list(user), this.webhooks.list(user), this.webhooks.eventsOf(user)]);
    const form = (state: Shown['keyForm'], fields: string[]) => {
      const errors = state?.errors ?? [];
      const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
      const values = state?.values ?? {};
      return {
        errors: errors.map((e) => ({ ...e, path: fields.includes(e.path) ? e.path : fields[0] })),
        error: Object.fromEntries(fields.map((f) => [f, errorOf(f)])),
        values: Object.fromEntries(fields.map((f) => [f, typeof values[f] === 'string' ? values[f] : ''])),
      };
    };
    const ticked = shown.hookForm ? [shown.hookForm.values.events ?? []].flat().map(String) : [];
    this.views.send(reply, status, 'integrations', {
      title: TITLE,
      home: homeOf(user),
      ownerLabel: user.role === 'secretariat' ? '事務局' : '事業所',
      message: shown.message ?? null,
      newKey: shown.newKey ?? null,
      newWebhook: shown.newWebhook ?? null,
      keys,
      webhooks: webhooks.map((w) => ({ ...w, eventCount: w.events.length, stateLabel: stateLabel(w) })),
      keyForm: form(shown.keyForm, ['name']),
      hookForm: {
        ...form(shown.hookForm, ['url', 'description', 'events']),
        events: events.map((type) => ({ type, label: WEBHOOK_EVENTS[type as WebhookEventType].label, checked: ticked.includes(type) })),
      },
    });
  }
}

function homeOf(user: CurrentUser): { href: string; label: string } {
  return user.role === 'secretariat' ? { href: '/secretariat', label: '提出状況' } : { href: '/office', label: '事業所' };
}

function stateLabel(w: WebhookSummary): string {
  if (w.disabledAt) return '停止（失敗が続いたため）';
  if (w.failingSince) return '送信に失敗中';
  return '有効';
}

function spanLabel(seconds: number): string {
  return seconds >= 3600 ? `${Math.round(seconds / 3600)}時間` : `${Math.max(1, Math.round(seconds / 60))}分`;
}

function back(reply: FastifyReply, path: string, message: string): void {
  reply.redirect(`${path}?message=${encodeURIComponent(message)}`, 303);
}
