import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { FollowUpEntity } from './follow-up.entity';
import { FollowUp } from './follow-ups.types';

export type NewFollowUp = Pick<FollowUpEntity, 'officeId' | 'networkId' | 'sentBy' | 'sentByName' | 'recipients' | 'items'>;

/** The follow-ups feature's one table, office_follow_up. */
@Injectable()
export class FollowUpsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, followUp: NewFollowUp): Promise<FollowUp> {
    return toFollowUp(await manager.save(manager.create(FollowUpEntity, followUp)));
  }

  /** The office's follow-ups, newest first. */
  async ofOffice(officeId: string): Promise<FollowUp[]> {
    const rows = await this.dataSource.getRepository(FollowUpEntity).find({ where: { officeId }, order: { sentAt: 'DESC' } });
    return rows.map(toFollowUp);
  }

  /** When each office was last followed up. */
  async lastSent(officeIds: string[]): Promise<Map<string, Date>> {
    if (officeIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(FollowUpEntity)
      .createQueryBuilder('f')
      .select('f.officeId', 'officeId')
      .addSelect('max(f.sentAt)', 'sentAt')
      .where({ officeId: In(officeIds) })
      .groupBy('f.officeId')
      .getRawMany<{ officeId: string; sentAt: Date }>();
    return new Map(rows.map((r) => [r.officeId, new Date(r.sentAt)]));
  }
}

function toFollowUp(row: FollowUpEntity): FollowUp {
  return {
    id: row.id,
    officeId: row.officeId,
    sentByName: row.sentByName,
    sentAt: row.sentAt,
    recipients: row.recipients,
    items: row.items,
  };
}
