import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { CreateWebhookDto, CreatedWebhookDto, WebhookSummaryDto } from './dto/webhook.dto';
import { CreatedWebhook, WebhookSummary } from './integrations.types';
import { WebhooksService } from './webhooks.service';

@ApiTags('integrations')
@ApiBearerAuth()
@Roles('office_manager', 'secretariat')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiOperation({
    summary:
      'Add a webhook of the office or the 事務局 (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature v1 HMAC-SHA256). The secret (whsec_…) is in this answer only. See docs/integrations.md for the events and their data',
  })
  create(@User() user: CurrentUser, @Body() body: CreateWebhookDto, @Origin() origin: RequestOrigin): Promise<CreatedWebhook> {
    return this.webhooks.create(user, body, origin);
  }

  @Get()
  @ApiOkResponse({ type: WebhookSummaryDto, isArray: true })
  @ApiOperation({ summary: 'The webhooks of the office or the 事務局 (never the secret)' })
  list(@User() user: CurrentUser): Promise<WebhookSummary[]> {
    return this.webhooks.list(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook: nothing more is sent to it' })
  delete(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    return this.webhooks.delete(user, id, origin);
  }

  @Get(':id/deliveries')
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiOperation({ summary: 'The webhook’s deliveries, newest first, 20 a page: event, status code, time, next retry, and every attempt' })
  deliveries(@User() user: CurrentUser, @Param('id') id: string, @Query('page') page?: string) {
    const n = Number(page ?? 1);
    return this.webhooks.deliveries(user, id, Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : 1);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test event to this webhook now' })
  test(@User() user: CurrentUser, @Param('id') id: string): Promise<{ deliveryId: string }> {
    return this.webhooks.test(user, id);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again now (same body and webhook-id)' })
  retry(@User() user: CurrentUser, @Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<void> {
    return this.webhooks.retry(user, id, deliveryId);
  }
}
