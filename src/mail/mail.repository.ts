import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { MailOutboxEntity } from './mail-outbox.entity';

export type NewOutboxMessage = Pick<MailOutboxEntity, 'kind' | 'recipient' | 'subject' | 'body' | 'documentId'>;

/** The mail feature's one table, mail_outbox: written in the transaction of the change, sent by the worker. */
@Injectable()
export class MailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, message: NewOutboxMessage): Promise<{ id: string }> {
    const saved = await manager.save(manager.create(MailOutboxEntity, { ...message, status: 'pending', attempts: 0 }));
    return { id: saved.id };
  }

  async cancelPendingFor(manager: EntityManager, documentIds: string[]): Promise<number> {
    const changed = await manager.update(MailOutboxEntity, { documentId: In(documentIds), status: 'pending' }, { status: 'cancelled' });
    return changed.affected ?? 0;
  }

  async deleteAbout(manager: EntityManager, documentIds: string[]): Promise<number> {
    const deleted = await manager.delete(MailOutboxEntity, { documentId: In(documentIds) });
    return deleted.affected ?? 0;
  }

  /** Messages still to send, oldest first. */
  pending(limit: number): Promise<Array<Pick<MailOutboxEntity, 'id' | 'createdAt'>>> {
    return this.dataSource.getRepository(MailOutboxEntity).find({
      select: { id: true, createdAt: true },
      where: { status: 'pending' },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }

  byId(id: string): Promise<MailOutboxEntity | null> {
    return this.dataSource.getRepository(MailOutboxEntity).findOneBy({ id });
  }

  /** Sent: only a message still pending becomes sent, so a message is never recorded sent twice. */
  async markSent(message: MailOutboxEntity): Promise<void> {
    await this.dataSource
      .getRepository(MailOutboxEntity)
      .update(
        { id: message.id, status: 'pending' },
        { status: 'sent', sentAt: new Date(), attempts: message.attempts + 1, lastError: null },
      );
  }

  async markAttemptFailed(message: MailOutboxEntity, error: string, givenUp: boolean): Promise<void> {
    await this.dataSource
      .getRepository(MailOutboxEntity)
      .update(message.id, { attempts: message.attempts + 1, lastError: error, status: givenUp ? 'failed' : 'pending' });
  }
}
