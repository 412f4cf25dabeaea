import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { DomainErrorFilter } from './common/errors/domain-error.filter';
import { CoreModule } from './core.module';
import { HealthController } from './health/health.controller';
import { NetworkSyncService } from './networks/network-sync.service';
import { NetworksModule } from './networks/networks.module';
import { RendersModule } from './rendering/renders.module';
import { WebModule } from './web/web.module';

/** The API process: HTTP only. It validates and enqueues; the worker prints. */
@Module({
  imports: [
    CoreModule,
    NetworksModule,
    ThrottlerModule.forRoot([{ ttl: 60_000, limit: 600 }]),
    RendersModule,
    WebModule,
  ],
  controllers: [HealthController],
  providers: [
    NetworkSyncService,
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
  ],
})
export class AppModule {}
