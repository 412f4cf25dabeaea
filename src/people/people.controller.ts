import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { RequestOrigin } from '../common/request-origin';
import { Origin } from '../common/request-origin';
import { CreatePatientDto } from './dto/create-patient.dto';
import { CreateStaffDto } from './dto/create-staff.dto';
import { PeopleService } from './people.service';

@ApiTags('people')
@Roles('office_manager', 'office_staff')
@Controller('api')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Get('staff')
  @ApiOperation({ summary: "The office's active staff roster" })
  staff(@User() user: CurrentUser) {
    return this.people.listStaff(user.officeId!);
  }

  @Patch('staff/:id')
  @Roles('office_manager')
  @ApiOperation({
    summary: "Change a staff member's 氏名, ふりがな, 職種 or e-mail (office manager); the 事務局's desk gets a change line",
  })
  changeStaff(@User() user: CurrentUser, @Param('id') id: string, @Body() body: CreateStaffDto, @Origin() origin: RequestOrigin) {
    return this.people.changeStaff(user, id, body, origin);
  }

  @Get('patients')
  patients(@User() user: CurrentUser) {
    return this.people.listPatients(user.officeId!);
  }

  @Post('patients')
  @ApiOperation({ summary: 'Register a patient (with 電話) and family contacts (氏名, 続柄, e-mail, phone, 住所)' })
  addPatient(@User() user: CurrentUser, @Body() body: CreatePatientDto, @Origin() origin: RequestOrigin) {
    return this.people.addPatient(user, body, origin);
  }

  @Patch('patients/:id')
  @ApiOperation({
    summary:
      "Change a patient's details and family: a family row with an `id` changes that contact, one without is new, one left out is removed",
  })
  changePatient(@User() user: CurrentUser, @Param('id') id: string, @Body() body: CreatePatientDto, @Origin() origin: RequestOrigin) {
    return this.people.updatePatient(user, id, body, origin);
  }

  @Get('patients/:id')
  patient(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.people.getPatient(user, id, origin);
  }
}
