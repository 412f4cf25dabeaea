import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { DashboardsController } from './dashboards.controller';
import { OfficeDashboardService } from './office-dashboard.service';
import { SecretariatDashboardService } from './secretariat-dashboard.service';

@Module({
  imports: [NetworksModule, DocumentsModule],
  controllers: [DashboardsController],
  providers: [SecretariatDashboardService, OfficeDashboardService],
  exports: [SecretariatDashboardService, OfficeDashboardService],
})
export class DashboardsModule {}
