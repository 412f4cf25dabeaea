import { Processor } from '@nestjs/bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { MAINTENANCE_QUEUE } from '../common/queues';
import { LastSweep, SweeperService } from './sweeper.service';

/** Runs a sweep (from the scheduler, or asked for at start-up); one at a time per worker. */
@Processor(MAINTENANCE_QUEUE, { concurrency: 1 })
export class SweepProcessor extends LoggedWorkerHost {
  constructor(private readonly sweeper: SweeperService) {
    super();
  }

  process(): Promise<LastSweep> {
    return this.sweeper.sweepAll();
  }
}
