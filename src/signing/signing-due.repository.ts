import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, LessThanOrEqual } from 'typeorm';
import { SignerEntity, SigningRequestEntity } from './signing.entities';
import { SigningRequest } from './signing.types';

/** What PostgreSQL says is due in signing (seals, expiries, reminders), whatever Redis holds: the sweeper's questions. */
@Injectable()
export class SigningDueRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Completed and still unsealed, oldest first: each is owed its seal. */
  unsealed(limit: number): Promise<Array<Pick<SigningRequest, 'id' | 'completedAt'>>> {
    return this.dataSource.getRepository(SigningRequestEntity).find({
      select: { id: true, completedAt: true },
      where: { status: 'completed', sealedSha256: IsNull() },
      order: { completedAt: 'ASC' },
      take: limit,
    });
  }

  /** Open past their expiry: each is owed its closing and the office's notice. */
  overdue(now: Date, limit: number): Promise<Array<Pick<SigningRequest, 'id' | 'expiresAt'>>> {
    return this.dataSource.getRepository(SigningRequestEntity).find({
      select: { id: true, expiresAt: true },
      where: { status: 'open', expiresAt: LessThanOrEqual(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  /** Pending e-mail signers of open, unexpired requests whose reminder is due. */
  async remindersDue(now: Date, limit: number): Promise<Array<{ id: string; remindAt: Date }>> {
    const rows: Array<{ id: string; remind_at: Date }> = await this.dataSource.query(
      `SELECT s.id, s.remind_at FROM signer s JOIN signing_request r ON r.id = s.request_id
        WHERE s.remind_at <= $1 AND s.status = 'pending' AND s.method = 'email' AND r.status = 'open' AND r.expires_at > $1
        ORDER BY s.remind_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, remindAt: r.remind_at }));
  }

  /** Takes a due reminder for sending, once: false when it is not due (or another job took it). */
  async claimReminder(manager: EntityManager, signerId: string, now: Date): Promise<boolean> {
    const changed = await manager.update(
      SignerEntity,
      { id: signerId, status: 'pending', remindAt: LessThanOrEqual(now) },
      { remindAt: null },
    );
    return changed.affected === 1;
  }
}
