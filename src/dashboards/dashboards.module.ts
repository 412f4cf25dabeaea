import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { DashboardsController } from './dashboards.controller';
import { OfficeDashboardService } from './office-dashboard.service';
import { SecretariatDashboardService } from './secretariat-dashboard.service';

@Module({
  imports: [AccountsModule, NetworksModule, PeopleModule, DocumentsModule, CustodyModule],
  controllers: [DashboardsController],
  providers: [SecretariatDashboardService, OfficeDashboardService],
  exports: [SecretariatDashboardService, OfficeDashboardService],
})
export class DashboardsModule {}
