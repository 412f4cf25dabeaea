import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LoadedNetwork } from './catalogue.loader';
import { NetworkEntity } from './network.entity';
import { NetworksService } from './networks.service';

/** Upserts a row per catalogue network, so that a network added as a folder exists for the database too. */
export async function syncNetworks(dataSource: DataSource, networks: LoadedNetwork[]): Promise<void> {
  await dataSource
    .createQueryBuilder()
    .insert()
    .into(NetworkEntity)
    .values(networks.map((n) => ({ id: n.id, name: n.name, operator: n.operator })))
    .orUpdate(['name', 'operator', 'updated_at'], ['id'])
    .execute();
}

@Injectable()
export class NetworkSyncService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly networks: NetworksService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return syncNetworks(this.dataSource, this.networks.list());
  }
}
