import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { NewOffice } from './accounts.types';
import { OfficeEntity } from './office.entity';

/** Offices (事業所): their rows, read and written only here. */
@Injectable()
export class OfficesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(id: string, manager: EntityManager = this.dataSource.manager): Promise<OfficeEntity | null> {
    return manager.findOneBy(OfficeEntity, { id });
  }

  /** By name (the 事務局's rows); all offices when no network is given (admin). */
  list(where: { networkId?: string; id?: string } = {}, manager: EntityManager = this.dataSource.manager): Promise<OfficeEntity[]> {
    return manager.find(OfficeEntity, { where, order: { name: 'ASC' } });
  }

  byIds(ids: string[]): Promise<OfficeEntity[]> {
    return this.dataSource.getRepository(OfficeEntity).findBy({ id: In(ids) });
  }

  insert(row: NewOffice, manager: EntityManager = this.dataSource.manager): Promise<OfficeEntity> {
    return manager.save(manager.create(OfficeEntity, row));
  }
}
