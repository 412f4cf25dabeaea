import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { NetworksRepository } from './networks.repository';
import { NetworksService } from './networks.service';

/** Upserts a row per catalogue network at start, so that a network added as a folder exists for the database too. */
@Injectable()
export class NetworkSyncService implements OnApplicationBootstrap {
  constructor(
    private readonly repository: NetworksRepository,
    private readonly networks: NetworksService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.repository.upsert(this.networks.list());
  }
}
