import { Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CsrfGuard } from './csrf.guard';
import { LoginFailures } from './login-failures';
import { MfaTokens } from './mfa-tokens';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { OfficesController } from './offices.controller';
import { NetworksModule } from '../networks/networks.module';
import { OfficesService } from './offices.service';
import { PasskeysService } from './passkeys.service';
import { SessionsService } from './sessions.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [NetworksModule],
  controllers: [AuthController, MfaController, UsersController, OfficesController],
  providers: [
    AuthService,
    UsersService,
    OfficesService,
    AuthGuard,
    CsrfGuard,
    AccountsRepository,
    SessionsService,
    LoginFailures,
    MfaTokens,
    MfaService,
    PasskeysService,
  ],
  exports: [AuthService, UsersService, OfficesService, AuthGuard, CsrfGuard, SessionsService, MfaService, PasskeysService],
})
export class AccountsModule {}
