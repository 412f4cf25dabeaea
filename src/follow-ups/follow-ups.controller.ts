import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { FollowUpsService } from './follow-ups.service';
import { FollowUp } from './follow-ups.types';

@ApiTags('dashboards')
@Roles('secretariat')
@Controller('api/offices/:id')
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Post('follow-up')
  @HttpCode(202)
  @ApiOperation({
    summary: '事務局: mail the office what it still owes (missing forms, overdue originals, unanswered questions), through the outbox',
  })
  send(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<FollowUp> {
    return this.followUps.send(user, id, origin);
  }

  @Get('follow-ups')
  @ApiOperation({ summary: '事務局: the follow-ups sent to the office, newest first' })
  history(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<FollowUp[]> {
    return this.followUps.history(user, id, origin);
  }
}
