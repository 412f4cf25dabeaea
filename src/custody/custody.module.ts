import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { CustodyController } from './custody.controller';
import { CustodyRepository } from './custody.repository';
import { CustodyService } from './custody.service';
import { ExemplarsRepository } from './exemplars.repository';

@Module({
  imports: [NetworksModule, IntegrationEventsModule],
  controllers: [CustodyController],
  providers: [CustodyService, CustodyRepository, ExemplarsRepository],
  exports: [CustodyService],
})
export class CustodyModule {}
