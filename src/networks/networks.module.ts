import { Module } from '@nestjs/common';
import { KnownNetworkConstraint } from './known-network.validator';
import { NetworksController } from './networks.controller';
import { NetworksService } from './networks.service';

@Module({
  controllers: [NetworksController],
  providers: [NetworksService, KnownNetworkConstraint],
  exports: [NetworksService],
})
export class NetworksModule {}
