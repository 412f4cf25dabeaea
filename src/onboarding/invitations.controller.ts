import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../common/rate-limit.guard';
import { Account } from '../accounts/accounts.types';
import { CurrentUser, Public, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { AcceptInvitationDto, InviteStaffDto } from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';
import { InvitedAccount } from './onboarding.types';

@ApiTags('onboarding')
@Controller('api/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: "The office's accounts and where each one's invitation stands" })
  list(@User() user: CurrentUser): Promise<InvitedAccount[]> {
    return this.invitations.ofOwnOffice(user);
  }

  @Post()
  @Roles('office_manager')
  @ApiOperation({ summary: 'Office manager: invite a staff member to an account of their own (an e-mailed link to set a password)' })
  invite(@User() user: CurrentUser, @Body() body: InviteStaffDto, @Origin() origin: RequestOrigin): Promise<InvitedAccount> {
    return this.invitations.inviteStaff(user, body, origin);
  }

  @Post('accounts/:userId/resend')
  @HttpCode(200)
  @Roles('office_manager', 'secretariat')
  @ApiOperation({ summary: 'A fresh invitation link for an account that has not set its password (the old link dies)' })
  resend(@User() user: CurrentUser, @Param('userId') userId: string, @Origin() origin: RequestOrigin): Promise<InvitedAccount> {
    return this.invitations.resend(user, userId, origin);
  }

  @Public()
  @RateLimit('public')
  @Post(':token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the password through an invitation link (public; single-use, expiring). Then log in' })
  async accept(
    @Param('token') token: string,
    @Body() body: AcceptInvitationDto,
    @Origin() origin: RequestOrigin,
  ): Promise<{ user: Account }> {
    return { user: await this.invitations.accept(token, body.password, origin) };
  }
}
