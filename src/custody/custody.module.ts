import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { CustodyController } from './custody.controller';
import { CustodyRepository } from './custody.repository';
import { CustodyService } from './custody.service';
import { SealedExemplarsService } from './sealed-exemplars.service';

@Module({
  imports: [NetworksModule, IntegrationEventsModule],
  controllers: [CustodyController],
  providers: [CustodyService, CustodyRepository, SealedExemplarsService],
  exports: [CustodyService, SealedExemplarsService],
})
export class CustodyModule {}
