import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { RendersModule } from '../rendering/renders.module';
import { WebController } from './web.controller';
import { WebViews } from './web.views';

@Module({
  imports: [NetworksModule, RendersModule],
  controllers: [WebController],
  providers: [WebViews],
})
export class WebModule {}
