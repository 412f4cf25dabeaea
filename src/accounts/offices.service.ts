import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { NewOffice, Office } from './accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesRepository } from './offices.repository';

/** Offices (事業所): the only way other features read them. */
@Injectable()
export class OfficesService {
  constructor(private readonly offices: OfficesRepository) {}

  find(id: string, manager?: EntityManager): Promise<Office | null> {
    return this.offices.find(id, manager);
  }

  async get(id: string, manager?: EntityManager): Promise<Office> {
    const office = await this.find(id, manager);
    if (!office) throw new DomainError('NOT_FOUND', '事業所が見つかりません');
    return office;
  }

  /** Every office of a network, by name (the 事務局's rows). */
  inNetwork(networkId: string, options: { officeId?: string } = {}): Promise<Office[]> {
    return this.offices.list({ networkId, ...(options.officeId ? { id: options.officeId } : {}) });
  }

  /** These offices (ids and names for a page's rows). */
  named(ids: string[]): Promise<Office[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.offices.byIds(ids);
  }

  /** All offices (admin), the network's (事務局), or the user's own. */
  visibleTo(user: CurrentUser): Promise<Office[]> {
    if (user.role === 'admin') return this.offices.list();
    if (user.role === 'secretariat') return this.offices.list({ networkId: user.networkId! });
    return this.offices.list({ id: user.officeId! });
  }

  /**
   * The office of the network with this name, compared as people type names: full- and half-width alike,
   * spaces and case ignored (a duplicate application or office).
   */
  async findByName(networkId: string, name: string, manager?: EntityManager): Promise<Office | null> {
    const key = officeNameKey(name);
    const offices = await this.offices.list({ networkId }, manager);
    return offices.find((o) => officeNameKey(o.name) === key) ?? null;
  }

  create(input: NewOffice, manager?: EntityManager): Promise<Office> {
    return this.offices.insert(input, manager);
  }
}

/** An office name as compared for duplicates: NFKC, no spaces, lower case. */
export function officeNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}
