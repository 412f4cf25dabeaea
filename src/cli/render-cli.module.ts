import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { NetworksModule } from '../networks/networks.module';
import { RenderingModule } from '../rendering/rendering.module';

/** Just the catalogue and Chromium: the CLI needs neither Postgres nor Redis. */
@Module({ imports: [ConfigModule, NetworksModule, RenderingModule] })
export class RenderCliModule {}
