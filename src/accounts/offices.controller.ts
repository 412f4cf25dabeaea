import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Office } from './accounts.types';
import { CreateOfficeDto } from './dto/create-office.dto';
import { OfficesService } from './offices.service';

@ApiTags('auth')
@Controller('api/offices')
export class OfficesController {
  constructor(private readonly offices: OfficesService) {}

  @Get()
  @ApiOperation({ summary: 'Offices the user may see: all (admin), the network’s (事務局), or its own' })
  list(@User() user: CurrentUser): Promise<Office[]> {
    return this.offices.visibleTo(user);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register an office (事業所) in a network (admin); then create its users with POST /api/users' })
  create(@Body() body: CreateOfficeDto): Promise<Office> {
    const { networkId, name, postalCode, address, phone } = body;
    return this.offices.create({ networkId, name, postalCode: postalCode || null, address: address || null, phone: phone || null });
  }
}
