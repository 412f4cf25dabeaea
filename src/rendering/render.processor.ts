import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { RENDER_QUEUE, WORKER_NAME } from '../common/queues';
import { RenderJob, RenderJobsService } from './render-jobs.service';

@Processor(RENDER_QUEUE, { name: WORKER_NAME, concurrency: 2 })
export class RenderProcessor extends LoggedWorkerHost {
  constructor(private readonly renders: RenderJobsService) {
    super();
  }

  process(job: Job<RenderJob>): Promise<{ sha256: string }> {
    return this.renders.print(job.data.renderId, { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 });
  }
}
