import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { isUuid } from '../common/validation';
import { RegistrationLineEntity, RegistrationQuestionEntity } from './registration.entities';
import { LineStatus, RegistrationKind } from './registrations.types';

export type NewLine = Pick<
  RegistrationLineEntity,
  'networkId' | 'officeId' | 'staffId' | 'kind' | 'name' | 'nameKana' | 'email' | 'jobTitle' | 'source' | 'documentId'
>;

/** Whose lines: a network's (事務局), an office's, or all (admin). */
export type LineScope = { networkId?: string; officeId?: string };

function whereOf(scope: LineScope, status: LineStatus | undefined) {
  return {
    ...(scope.networkId ? { networkId: scope.networkId } : {}),
    ...(scope.officeId ? { officeId: scope.officeId } : {}),
    ...(status ? { status } : {}),
  };
}

/** Every query of the registration desk's tables. */
@Injectable()
export class RegistrationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insertLine(manager: EntityManager, line: NewLine): Promise<RegistrationLineEntity> {
    return manager.save(manager.create(RegistrationLineEntity, { ...line, status: 'open' as const }));
  }

  /** A line by id; null for an unknown or malformed id. Locked for update inside a transaction when asked. */
  async line(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<RegistrationLineEntity | null> {
    if (!isUuid(id)) return null;
    const query = manager.getRepository(RegistrationLineEntity).createQueryBuilder('l').where('l.id = :id', { id });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  /**
   * The office's open line for the same person and change that no notice lists yet: a notice issued after
   * the staff pages (or a roster) recorded the change is attached to it instead of doubling it.
   */
  sameOpenLine(
    manager: EntityManager,
    officeId: string,
    kind: RegistrationKind,
    person: { email: string | null; name: string },
  ): Promise<RegistrationLineEntity | null> {
    const query = manager
      .getRepository(RegistrationLineEntity)
      .createQueryBuilder('l')
      .where("l.office_id = :officeId AND l.kind = :kind AND l.status = 'open' AND l.document_id IS NULL", { officeId, kind });
    if (person.email) query.andWhere('lower(l.email) = lower(:email)', { email: person.email });
    else query.andWhere("regexp_replace(l.name, '\\s', '', 'g') = regexp_replace(:name, '\\s', '', 'g')", { name: person.name });
    return query.orderBy('l.created_at', 'ASC').getOne();
  }

  async linkDocument(manager: EntityManager, lineId: string, documentId: string): Promise<void> {
    await manager.update(RegistrationLineEntity, lineId, { documentId });
  }

  /**
   * A page of lines and how many there are: oldest first (the desk works them off in order), or newest first (an
   * office's latest changes).
   */
  linePage(
    scope: LineScope,
    status: LineStatus | undefined,
    page: { limit: number; offset: number },
    order: 'oldest' | 'newest' = 'oldest',
  ): Promise<[RegistrationLineEntity[], number]> {
    const direction = order === 'oldest' ? 'ASC' : 'DESC';
    return this.dataSource.getRepository(RegistrationLineEntity).findAndCount({
      where: whereOf(scope, status),
      order: { createdAt: direction, id: direction },
      skip: page.offset,
      take: page.limit,
    });
  }

  /**
   * The next `limit` lines after `after` (oldest first; keyset, so a line added or done meanwhile neither repeats
   * nor skips one): an export of any length, a batch at a time.
   */
  linesAfter(
    scope: LineScope,
    status: LineStatus | undefined,
    after: { createdAt: Date; id: string } | null,
    limit: number,
  ): Promise<RegistrationLineEntity[]> {
    const query = this.dataSource.getRepository(RegistrationLineEntity).createQueryBuilder('l').where(whereOf(scope, status));
    // Milliseconds, as the JavaScript Date of the last row carries them (PostgreSQL keeps microseconds).
    const at = "date_trunc('milliseconds', l.created_at)";
    if (after) query.andWhere(`(${at}, l.id) > (:createdAt, :id)`, after);
    return query.orderBy(at, 'ASC').addOrderBy('l.id', 'ASC').limit(limit).getMany();
  }

  questionsOf(lineIds: string[]): Promise<RegistrationQuestionEntity[]> {
    if (lineIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(RegistrationQuestionEntity).find({ where: { lineId: In(lineIds) }, order: { askedAt: 'ASC' } });
  }

  insertQuestion(
    manager: EntityManager,
    question: Pick<RegistrationQuestionEntity, 'lineId' | 'question' | 'askedBy' | 'askedByName'>,
  ): Promise<RegistrationQuestionEntity> {
    return manager.save(manager.create(RegistrationQuestionEntity, question));
  }

  /** The line's question still waiting for an answer, if any. */
  pendingQuestion(manager: EntityManager, lineId: string): Promise<RegistrationQuestionEntity | null> {
    return manager.findOne(RegistrationQuestionEntity, { where: { lineId, answeredAt: IsNull() }, order: { askedAt: 'DESC' } });
  }

  async answer(manager: EntityManager, questionId: string, answer: { text: string; by: string; byName: string }): Promise<void> {
    await manager.update(RegistrationQuestionEntity, questionId, {
      answer: answer.text,
      answeredBy: answer.by,
      answeredByName: answer.byName,
      answeredAt: new Date(),
    });
  }

  /** Marks an open line done; false when it was done already (by someone else, a moment ago). */
  async markDone(
    manager: EntityManager,
    lineId: string,
    done: { mcsId: string | null; note: string | null; by: string; byName: string },
  ): Promise<boolean> {
    const result = await manager.update(
      RegistrationLineEntity,
      { id: lineId, status: 'open' },
      { status: 'done', mcsId: done.mcsId, note: done.note, doneBy: done.by, doneByName: done.byName, doneAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Questions to the office's open lines that it has not answered. */
  unanswered(officeId: string): Promise<Array<{ lineId: string; name: string; kind: RegistrationKind; question: string; askedAt: Date }>> {
    return this.dataSource.query(
      `SELECT l.id AS "lineId", l.name, l.kind, q.question, q.asked_at AS "askedAt"
         FROM registration_question q JOIN registration_line l ON l.id = q.line_id
        WHERE l.office_id = $1 AND l.status = 'open' AND q.answered_at IS NULL
        ORDER BY q.asked_at`,
      [officeId],
    );
  }

  /** Per office of the network: open lines, and how many of them wait for the office's answer. */
  async openCounts(networkId: string, officeIds?: string[]): Promise<Map<string, { open: number; awaitingAnswer: number }>> {
    const rows: Array<{ officeId: string; open: string; awaiting: string }> = await this.dataSource.query(
      `SELECT l.office_id AS "officeId", count(*) AS open,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registration_question q
                                              WHERE q.line_id = l.id AND q.answered_at IS NULL)) AS awaiting
         FROM registration_line l
        WHERE l.network_id = $1 AND l.status = 'open' AND ($2::uuid[] IS NULL OR l.office_id = ANY($2::uuid[]))
        GROUP BY l.office_id`,
      [networkId, officeIds ?? null],
    );
    return new Map(rows.map((r) => [r.officeId, { open: Number(r.open), awaitingAnswer: Number(r.awaiting) }]));
  }
}
