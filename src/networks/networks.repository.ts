import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NetworkEntity } from './network.entity';

/** The networks' rows: one per catalogue folder, so that the database knows every network the catalogue does. */
@Injectable()
export class NetworksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts new networks and renames changed ones (the catalogue is the truth for names). */
  async upsert(networks: Array<Pick<NetworkEntity, 'id' | 'name' | 'operator'>>): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(NetworkEntity)
      .values(networks.map(({ id, name, operator }) => ({ id, name, operator })))
      .orUpdate(['name', 'operator', 'updated_at'], ['id'])
      .execute();
  }
}
