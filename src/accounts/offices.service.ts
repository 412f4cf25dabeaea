import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { NewOffice, Office } from './accounts.types';
import { CurrentUser } from './current-user';
import { OfficeEntity } from './office.entity';

/** Offices (事業所): the only way other features read them. */
@Injectable()
export class OfficesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(id: string, manager: EntityManager = this.dataSource.manager): Promise<Office | null> {
    return manager.findOneBy(OfficeEntity, { id });
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<Office> {
    const office = await this.find(id, manager);
    if (!office) throw new DomainError('NOT_FOUND', '事業所が見つかりません');
    return office;
  }

  /** Every office of a network, by name (the 事務局's rows). */
  inNetwork(networkId: string, options: { officeId?: string } = {}): Promise<Office[]> {
    return this.dataSource
      .getRepository(OfficeEntity)
      .find({ where: { networkId, ...(options.officeId ? { id: options.officeId } : {}) }, order: { name: 'ASC' } });
  }

  /** These offices (ids and names for a page's rows). */
  named(ids: string[]): Promise<Office[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(OfficeEntity).find({ where: { id: In(ids) } });
  }

  /** All offices (admin), the network's (事務局), or the user's own. */
  visibleTo(user: CurrentUser): Promise<Office[]> {
    const offices = this.dataSource.getRepository(OfficeEntity);
    if (user.role === 'admin') return offices.find({ order: { name: 'ASC' } });
    if (user.role === 'secretariat') return offices.find({ where: { networkId: user.networkId! }, order: { name: 'ASC' } });
    return offices.find({ where: { id: user.officeId! } });
  }

  /**
   * The office of the network with this name, compared as people type names: full- and half-width alike,
   * spaces and case ignored (a duplicate application or office).
   */
  async findByName(networkId: string, name: string, manager: EntityManager = this.dataSource.manager): Promise<Office | null> {
    const key = officeNameKey(name);
    const offices = await manager.find(OfficeEntity, { where: { networkId } });
    return offices.find((o) => officeNameKey(o.name) === key) ?? null;
  }

  create(input: NewOffice, manager: EntityManager = this.dataSource.manager): Promise<Office> {
    return manager.save(manager.create(OfficeEntity, input));
  }
}

/** An office name as compared for duplicates: NFKC, no spaces, lower case. */
export function officeNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}
