import { Module } from '@nestjs/common';
import { ConfirmFirstGuard } from './confirm-first.guard';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DashboardsModule } from '../dashboards/dashboards.module';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { RendersModule } from '../rendering/renders.module';
import { DocumentPageController } from './document-page.controller';
import { OfficeController } from './office.controller';
import { SecretariatController } from './secretariat.controller';
import { AdminController } from './admin-audit.controller';
import { OfficeListsController } from './office-lists.controller';
import { SessionController } from './session.controller';
import { BatchPagesController } from './batch-pages.controller';
import { BatchesModule } from '../batches/batches.module';
import { SigningPagesController } from './signing-pages.controller';
import { InPersonSigningController } from './signing-in-person.controller';
import { SigningOfficeController } from './signing-office.controller';
import { SigningVerifyController } from './signing-verify.controller';
import { SigningModule } from '../signing/signing.module';
import { RightsModule } from '../rights/rights.module';
import { PatientPagesController } from './patient-pages.controller';
import { RightsPagesController } from './rights-pages.controller';
import { WithdrawalLinkPagesController } from './withdrawal-link-pages.controller';
import { ErrorPage } from '../common/errors/error-page';
import { WebController } from './web.controller';
import { WebErrorPage } from './web-error.page';
import { WebViews } from './web.views';
import { AccountPagesController } from './account-pages.controller';
import { AdminUsersController } from './admin-users.controller';
import { OnboardingModule } from '../onboarding/onboarding.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { TrainingModule } from '../training/training.module';
import { FollowUpsModule } from '../follow-ups/follow-ups.module';
import { ApplyPagesController } from './apply-pages.controller';
import { SecretariatApplicationsController } from './secretariat-applications.controller';
import { SecretariatDeskController } from './secretariat-desk.controller';
import { OfficeStaffController } from './office-staff.controller';
import { OfficePatientsController } from './office-patients.controller';
import { StaffChangesModule } from '../staff-changes/staff-changes.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationPagesController } from './integration-pages.controller';
import { VisitPagesController } from './visit-pages.controller';
import { VisitsModule } from '../visits/visits.module';

/** The Japanese, server-rendered web UI. */
@Module({
  imports: [
    AccountsModule,
    NetworksModule,
    RendersModule,
    PeopleModule,
    DocumentsModule,
    DashboardsModule,
    CustodyModule,
    SigningModule,
    BatchesModule,
    OnboardingModule,
    RegistrationsModule,
    TrainingModule,
    FollowUpsModule,
    RightsModule,
    StaffChangesModule,
    IntegrationsModule,
    VisitsModule,
  ],
  controllers: [
    VisitPagesController,
    SessionController,
    WebController,
    OfficeController,
    DocumentPageController,
    SecretariatController,
    AdminController,
    OfficeListsController,
    SigningPagesController,
    InPersonSigningController,
    SigningOfficeController,
    SigningVerifyController,
    BatchPagesController,
    AccountPagesController,
    AdminUsersController,
    ApplyPagesController,
    SecretariatApplicationsController,
    SecretariatDeskController,
    OfficeStaffController,
    OfficePatientsController,
    PatientPagesController,
    RightsPagesController,
    WithdrawalLinkPagesController,
    IntegrationPagesController,
  ],
  providers: [WebViews, { provide: ErrorPage, useClass: WebErrorPage }, ConfirmFirstGuard],
  // For DomainErrorFilter (registered by the app), which answers pages with it; the guard, for the app's guards.
  exports: [ErrorPage, ConfirmFirstGuard],
})
export class WebModule {}
