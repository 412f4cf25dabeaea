import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../accounts/current-user';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { Origin } from '../common/request-origin';
import { CUSTODY_EVENT_TYPES, CustodyEventType } from './custody.types';
import { CustodyService } from './custody.service';

@ApiTags('custody')
@Controller('api')
export class CustodyController {
  constructor(private readonly custody: CustodyService) {}

  @Post('exemplars/:code/events')
  @ApiOperation({
    summary: 'Record what happened to an exemplar (printed, signed, mailed, handed_to_family, destroyed; 事務局: received, returned)',
  })
  async event(
    @User() user: CurrentUser,
    @Param('code') code: string,
    @Body() body: { type?: string; note?: string; occurredAt?: string },
    @Origin() origin: RequestOrigin,
  ) {
    const errors = [];
    if (
      !CUSTODY_EVENT_TYPES.includes(body?.type as CustodyEventType) ||
      body?.type === 'issued' ||
      body?.type === 'signed_electronically'
    ) {
      errors.push({
        path: 'type',
        label: '種類',
        message: `種類は次のいずれかです: printed, signed, mailed, handed_to_family, destroyed, received, returned`,
      });
    }
    const occurredAt = body?.occurredAt ? new Date(body.occurredAt) : new Date();
    if (Number.isNaN(occurredAt.getTime()) || occurredAt.getTime() > Date.now() + 60_000) {
      errors.push({ path: 'occurredAt', label: '日時', message: '日時は過去の日時を ISO 8601 で指定してください' });
    }
    if (body?.note !== undefined && (typeof body.note !== 'string' || body.note.length > 500)) {
      errors.push({ path: 'note', label: '備考', message: '備考は500文字以内の文字列です' });
    }
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });
    const recorded = await this.custody.record(user, code, body.type as CustodyEventType, { note: body.note ?? null, occurredAt, origin });
    return {
      code: recorded.exemplar.code,
      state: recorded.exemplar.state,
      alreadyRecorded: recorded.alreadyRecorded,
      message: recorded.message,
      event: recorded.event,
    };
  }

  @Post('receipts')
  @Roles('secretariat', 'admin')
  @ApiOperation({ summary: '事務局: record receipt of a paper original by its code (as scanned from its QR code or typed)' })
  async receive(@User() user: CurrentUser, @Body() body: { code?: string }, @Origin() origin: RequestOrigin) {
    if (typeof body?.code !== 'string' || !body.code.trim()) {
      throw new DomainError('INVALID_REQUEST', '書類番号を入力してください', {
        errors: [{ path: 'code', label: '書類番号', message: '書類番号を入力してください' }],
      });
    }
    const recorded = await this.custody.record(user, body.code, 'received', { origin });
    return {
      code: recorded.exemplar.code,
      alreadyRecorded: recorded.alreadyRecorded,
      message: recorded.message,
      receivedAt: recorded.event.occurredAt,
      receivedBy: recorded.event.actorName,
    };
  }

  @Get('exemplars/:code/history')
  @ApiOperation({ summary: 'The exemplar’s custody events and whether their hash chain is intact' })
  async history(@User() user: CurrentUser, @Param('code') code: string, @Origin() origin: RequestOrigin) {
    const exemplar = await this.custody.visibleByCode(user, code, origin);
    return {
      code: exemplar.code,
      kind: exemplar.kind,
      holder: exemplar.holder,
      state: exemplar.state,
      chain: await this.custody.check(exemplar.id),
      events: await this.custody.history(exemplar.id),
    };
  }
}
