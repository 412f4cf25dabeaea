import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Origin, RequestOrigin } from '../common/request-origin';
import { UserSummary } from './accounts.types';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { toCurrentUser } from './auth.service';
import { CreateUserDto } from './dto/create-user.dto';
import { UserListQueryDto } from './dto/user-list.dto';
import { MfaService } from './mfa.service';
import { USER_LIST_LIMIT, UsersService } from './users.service';

@ApiTags('auth')
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly mfa: MfaService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a user (admin). Password: 8+ characters, letters and digits, at most 72 bytes, not a common one' })
  async create(@Body() body: CreateUserDto) {
    return toCurrentUser(await this.users.create(body));
  }

  @Get()
  @ApiOperation({ summary: `Users with their second factors and state (admin), by e-mail; at most ${USER_LIST_LIMIT}` })
  list(@Query() query: UserListQueryDto): Promise<UserSummary[]> {
    return this.users.list(query.q);
  }

  @Post(':id/mfa/reset')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Reset a lost second factor (admin): the app, passkeys and recovery codes are removed, every session ends; audit-logged',
  })
  resetMfa(@User() admin: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    return this.mfa.reset(admin, id, origin);
  }

  @Post(':id/lock')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop an account (利用停止, admin): log-in refused, every session ends at once' })
  lock(@User() admin: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    return this.users.setDisabled(admin, id, true, origin);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @ApiOperation({ summary: 'Let a stopped account log in again (admin)' })
  unlock(@User() admin: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    return this.users.setDisabled(admin, id, false, origin);
  }
}
