import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { RecordTrainingDto } from './dto/record-training.dto';
import { TrainingService } from './training.service';
import { TrainingRecord, UntrainedStaff } from './training.types';

@ApiTags('training')
@Controller('api')
export class TrainingController {
  constructor(private readonly training: TrainingService) {}

  @Post('staff/:id/training')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: "Office: a staff member attended the network's training (date, kind e.g. 研修会 or 動画)" })
  record(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RecordTrainingDto,
    @Origin() origin: RequestOrigin,
  ): Promise<TrainingRecord> {
    return this.training.record(user, id, body, origin);
  }

  @Get('training')
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: "Office: its staff's latest training attendance" })
  async ofOffice(@User() user: CurrentUser): Promise<TrainingRecord[]> {
    return [...(await this.training.latestOf([user.officeId!])).values()];
  }

  @Get('training/untrained')
  @Roles('secretariat')
  @ApiOperation({ summary: '事務局: staff on a roster of its network with no training recorded (where the network requires it)' })
  untrained(@User() user: CurrentUser): Promise<UntrainedStaff[]> {
    return this.training.untrained(user.networkId!);
  }
}
