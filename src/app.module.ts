import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccountsModule } from './accounts/accounts.module';
import { AuthGuard } from './accounts/auth.guard';
import { CsrfGuard } from './accounts/csrf.guard';
import { AuditModule } from './audit/audit.module';
import { BatchesModule } from './batches/batches.module';
import { DomainErrorFilter } from './common/errors/domain-error.filter';
import { RateLimitGuard } from './common/rate-limit.guard';
import { CoreModule } from './core.module';
import { CustodyModule } from './custody/custody.module';
import { DashboardsModule } from './dashboards/dashboards.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { NetworkSyncService } from './networks/network-sync.service';
import { NetworksRepository } from './networks/networks.repository';
import { NetworksModule } from './networks/networks.module';
import { PeopleModule } from './people/people.module';
import { QueuesModule } from './queues.module';
import { RendersModule } from './rendering/renders.module';
import { RightsModule } from './rights/rights.module';
import { SigningModule } from './signing/signing.module';
import { VisitsModule } from './visits/visits.module';
import { WebModule } from './web/web.module';
import { ConfirmFirstGuard } from './web/confirm-first.guard';
import { OnboardingModule } from './onboarding/onboarding.module';
import { RegistrationsModule } from './registrations/registrations.module';
import { TrainingModule } from './training/training.module';
import { FollowUpsModule } from './follow-ups/follow-ups.module';
import { StaffChangesModule } from './staff-changes/staff-changes.module';
import { IntegrationsModule } from './integrations/integrations.module';

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
    VisitsModule,
    BatchesModule,
    RendersModule,
    OnboardingModule,
    RegistrationsModule,
    TrainingModule,
    FollowUpsModule,
    RightsModule,
    StaffChangesModule,
    IntegrationsModule,
    WebModule,
    HealthModule,
  ],
  providers: [
    NetworkSyncService,
    NetworksRepository,
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    // In this order: throttling (Redis), then CSRF (cheap, refuses forged requests before any lookup), then the session.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useExisting: CsrfGuard },
    { provide: APP_GUARD, useExisting: AuthGuard },
    // Last: a page's post that asks to be confirmed gets the confirmation page (web/confirm-first.guard.ts).
    { provide: APP_GUARD, useExisting: ConfirmFirstGuard },
  ],
})
export class AppModule {}
