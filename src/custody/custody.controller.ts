import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { RequestOrigin } from '../common/request-origin';
import { Origin } from '../common/request-origin';
import { CustodyService } from './custody.service';
import { RecordEventDto } from './dto/record-event.dto';
import { ReceiptDto } from './dto/receipt.dto';

@ApiTags('custody')
@Controller('api')
export class CustodyController {
  constructor(private readonly custody: CustodyService) {}

  @Post('exemplars/:code/events')
  @ApiOperation({
    summary: 'Record what happened to an exemplar (printed, signed, mailed, handed_to_family, destroyed; 事務局: received, returned)',
  })
  async event(@User() user: CurrentUser, @Param('code') code: string, @Body() body: RecordEventDto, @Origin() origin: RequestOrigin) {
    const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date();
    const recorded = await this.custody.record(user, code, body.type, { note: body.note ?? null, occurredAt, origin });
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
  async receive(@User() user: CurrentUser, @Body() body: ReceiptDto, @Origin() origin: RequestOrigin) {
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
