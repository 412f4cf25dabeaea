import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../common/rate-limit.guard';
import { CurrentUser, Public, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { ApplicationApprovalService } from './application-approval.service';
import { ApplicationsService } from './applications.service';
import { CreateApplicationDto } from './dto/create-application.dto';
import { ApplicationQueryDto, RejectApplicationDto } from './dto/review-application.dto';
import { InvitationsService } from './invitations.service';
import { Application } from './onboarding.types';

@ApiTags('onboarding')
@Controller('api/applications')
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly approval: ApplicationApprovalService,
    private readonly invitations: InvitationsService,
  ) {}

  @Public()
  @RateLimit('public')
  @Post()
  @ApiOperation({
    summary:
      "Apply to a network (public). `data`: the network's application form's fields. An office already registered or applied for is refused (400); " +
      'an address that already has an account is not (the answer never tells), the 事務局 sees it when reviewing',
  })
  async create(@Body() body: CreateApplicationDto, @Origin() origin: RequestOrigin): Promise<{ id: string; number: string }> {
    const { id, number } = await this.applications.submit(body, origin);
    return { id, number };
  }

  @Get()
  @Roles('secretariat', 'admin')
  @ApiOperation({ summary: "事務局: its network's applications (status=pending|approved|rejected)" })
  list(@User() user: CurrentUser, @Query() query: ApplicationQueryDto): Promise<Application[]> {
    return this.applications.list(user, query.status);
  }

  @Get(':id')
  @Roles('secretariat', 'admin')
  @ApiOperation({ summary: '事務局: one application, with its forms as they will be issued, and the new office’s accounts once approved' })
  async get(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    const application = await this.applications.get(user, id, origin);
    return {
      ...application,
      managerEmailTaken: await this.applications.managerEmailTaken(application),
      forms: this.applications.formsOf(application),
      accounts: application.officeId ? await this.invitations.accounts(application.officeId) : [],
    };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('secretariat')
  @ApiOperation({ summary: '事務局: creates the office, its manager (invited by e-mail to set a password), roster and forms' })
  approve(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<Application> {
    return this.approval.approve(user, id, origin);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('secretariat')
  @ApiOperation({ summary: '事務局: refuses the application; the applicant is mailed the reason' })
  reject(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RejectApplicationDto,
    @Origin() origin: RequestOrigin,
  ): Promise<Application> {
    return this.applications.reject(user, id, body.reason, origin);
  }
}
