import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { TrainingRecordEntity } from './training-record.entity';
import { TrainingRecord } from './training.types';

export type NewTrainingRecord = Pick<
  TrainingRecordEntity,
  'officeId' | 'staffId' | 'kind' | 'attendedOn' | 'recordedBy' | 'recordedByName'
>;

/** The training feature's one table, training_record. */
@Injectable()
export class TrainingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(manager: EntityManager, record: NewTrainingRecord): Promise<TrainingRecord> {
    return manager.save(manager.create(TrainingRecordEntity, record));
  }

  /** Each staff member's latest attendance in these offices (by staff id). */
  async latestOf(officeIds: string[]): Promise<Map<string, TrainingRecord>> {
    if (officeIds.length === 0) return new Map();
    const records = await this.dataSource
      .getRepository(TrainingRecordEntity)
      .find({ where: { officeId: In(officeIds) }, order: { attendedOn: 'ASC', createdAt: 'ASC' } });
    return new Map(records.map((r) => [r.staffId, r]));
  }
}
