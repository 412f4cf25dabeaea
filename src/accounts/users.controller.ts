import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from './current-user';
import { toCurrentUser } from './auth.service';
import { NewUser, UsersService } from './users.service';

@ApiTags('auth')
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user (admin). Password: at least 8 characters, letters and digits' })
  async create(@Body() body: NewUser) {
    return toCurrentUser(await this.users.create(body ?? ({} as NewUser)));
  }
}
