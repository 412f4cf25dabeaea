import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AccountsModule } from './accounts/accounts.module';
import { AuthGuard } from './accounts/auth.guard';
import { AuditModule } from './audit/audit.module';
import { BatchesModule } from './batches/batches.module';
import { DomainErrorFilter } from './common/errors/domain-error.filter';
import { APP_CONFIG } from './config/config.module';
import { AppConfig } from './config/env';
import { CoreModule } from './core.module';
import { CustodyModule } from './custody/custody.module';
import { DashboardsModule } from './dashboards/dashboards.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthController } from './health/health.controller';
import { NetworkSyncService } from './networks/network-sync.service';
import { NetworksModule } from './networks/networks.module';
import { PeopleModule } from './people/people.module';
import { QueuesModule } from './queues.module';
import { RendersModule } from './rendering/renders.module';
import { SigningModule } from './signing/signing.module';
import { WebModule } from './web/web.module';

/** The API process: HTTP only. It validates and enqueues; the worker prints. */
@Module({
  imports: [
    CoreModule,
    QueuesModule,
    AuditModule,
    AccountsModule,
    NetworksModule,
    PeopleModule,
    CustodyModule,
    DocumentsModule,
    DashboardsModule,
    SigningModule,
    BatchesModule,
    RendersModule,
    WebModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => [{ ttl: 60_000, limit: config.throttlePerMinute }],
    }),
  ],
  controllers: [HealthController],
  providers: [
    NetworkSyncService,
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
})
export class AppModule {}
