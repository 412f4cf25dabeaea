import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { TrainingModule } from '../training/training.module';
import { DashboardsController } from './dashboards.controller';
import { DashboardsRepository } from './dashboards.repository';
import { OfficeDashboardService } from './office-dashboard.service';
import { SecretariatDashboardService } from './secretariat-dashboard.service';
import { SecretariatMatrixService } from './secretariat-matrix.service';

@Module({
  imports: [AccountsModule, NetworksModule, PeopleModule, DocumentsModule, CustodyModule, RegistrationsModule, TrainingModule],
  controllers: [DashboardsController],
  providers: [DashboardsRepository, SecretariatDashboardService, SecretariatMatrixService, OfficeDashboardService],
  exports: [SecretariatDashboardService, SecretariatMatrixService, OfficeDashboardService],
})
export class DashboardsModule {}
