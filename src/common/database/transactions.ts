import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The one way to run work in a transaction. A change that spans features (a staff member and their desk line,
 * a signature and its mail) passes the manager into each owner's repository methods, so all of it commits or
 * none of it does; mail and other work written through the outbox in the same manager is queued only then.
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
