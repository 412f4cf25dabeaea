import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { OfficesController } from './offices.controller';
import { UsersController } from './users.controller';
import { NetworksModule } from '../networks/networks.module';
import { OfficesService } from './offices.service';
import { UsersService } from './users.service';

@Module({
  imports: [NetworksModule],
  controllers: [AuthController, UsersController, OfficesController],
  providers: [AuthService, UsersService, OfficesService, AuthGuard],
  exports: [AuthService, UsersService, OfficesService, AuthGuard],
})
export class AccountsModule {}
