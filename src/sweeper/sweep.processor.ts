import { Processor } from '@nestjs/bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { MAINTENANCE_QUEUE, WORKER_NAME } from '../common/queues';
import { LastSweep, SweeperService } from './sweeper.service';

/** Runs a sweep (from the scheduler, or asked for at start-up); one at a time per worker. */
@Processor(MAINTENANCE_QUEUE, { name: WORKER_NAME, concurrency: 1 })
export class SweepProcessor extends LoggedWorkerHost {
  constructor(private readonly sweeper: SweeperService) {
    super();
  }

  process(): Promise<LastSweep> {
    return this.sweeper.sweepAll();
  }
}
