import { Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CsrfGuard } from './csrf.guard';
import { LoginDevices } from './login-devices';
import { LoginFailures } from './login-failures';
import { LoginStateRepository } from './login-state.repository';
import { MfaTokens } from './mfa-tokens';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { OfficesController } from './offices.controller';
import { NetworksModule } from '../networks/networks.module';
import { MailModule } from '../mail/mail.module';
import { FactorNotices } from './factor-notices';
import { OfficesService } from './offices.service';
import { PasskeysService } from './passkeys.service';
import { SessionsService } from './sessions.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { UsersRepository } from './users.repository';
import { OfficesRepository } from './offices.repository';

@Module({
  imports: [NetworksModule, MailModule],
  controllers: [ApiKeysController, AuthController, MfaController, UsersController, OfficesController],
  providers: [
    AuthService,
    UsersService,
    OfficesService,
    AuthGuard,
    CsrfGuard,
    AccountsRepository,
    UsersRepository,
    OfficesRepository,
    ApiKeysRepository,
    SessionsService,
    LoginStateRepository,
    LoginFailures,
    LoginDevices,
    MfaTokens,
    MfaService,
    PasskeysService,
    FactorNotices,
    ApiKeysService,
  ],
  exports: [ApiKeysService, AuthService, UsersService, OfficesService, AuthGuard, CsrfGuard, SessionsService, MfaService, PasskeysService],
})
export class AccountsModule {}
