import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { CreateStaffDto } from '../people/dto/create-staff.dto';
import { LeaveStaffDto } from './dto/leave-staff.dto';
import { StaffChangesService } from './staff-changes.service';

/** Staff joining and leaving through the API: the same path as the staff pages, notice draft included. */
@ApiTags('people')
@Roles('office_manager')
@Controller('api/staff')
export class StaffChangesController {
  constructor(private readonly changes: StaffChangesService) {}

  @Post()
  @ApiOperation({
    summary: "Add a staff member (office manager); the 事務局's desk gets a line and the day's staff-change notice draft a 新規 row",
  })
  async add(@User() user: CurrentUser, @Body() body: CreateStaffDto, @Origin() origin: RequestOrigin) {
    const { staff, notice } = await this.changes.join(user, body, origin);
    return { ...staff, notice };
  }

  @Post(':id/leave')
  @ApiOperation({
    summary: 'Mark a staff member as having left (退職) on `leftOn` (default today); the day’s notice draft gets a 削除 row',
  })
  async leave(@User() user: CurrentUser, @Param('id') id: string, @Body() body: LeaveStaffDto, @Origin() origin: RequestOrigin) {
    const { staff, notice } = await this.changes.leave(user, id, body?.leftOn, origin);
    return { ...staff, notice };
  }
}
