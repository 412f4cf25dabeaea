import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { SweepReport } from '../common/job-delivery';
import { JOB_IDS, MAINTENANCE_QUEUE, SWEEP_SCHEDULER_ID, lastSweepKey } from '../common/queues';
import { RedisService } from '../common/redis.provider';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { BatchesService } from '../batches/batches.service';
import { DocumentPrintingService } from '../documents/document-printing.service';
import { MailService } from '../mail/mail.service';
import { WebhookDeliveryService } from '../integrations/webhook-delivery.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { RendersService } from '../rendering/renders.service';
import { RightsJobsService } from '../rights/rights-jobs.service';
import { ArchiveRenewalService } from '../signing/archive-renewal.service';
import { SigningJobsService } from '../signing/signing-jobs.service';

/** How often each worker checks that the one sweep scheduler still exists (a flushed or restarted Redis loses it). */
const WATCH_MS = 5000;

/** What the last sweep did, as /health shows it to admins. */
export interface LastSweep {
  at: string;
  worker: number;
  requeued: SweepReport;
  errors: string[];
}

/**
 * The one sweeper: PostgreSQL says what is due, and each feature re-queues its own (the sweeper reads no
 * feature's tables). It runs as a BullMQ job from one job scheduler with a fixed id, so however many workers
 * run, one sweep happens every SWEEP_SECONDS; each worker also asks for one as it starts, and again when it
 * finds the scheduler gone (Redis flushed or restarted without its data).
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SweeperService.name);
  private timer: NodeJS.Timeout | null = null;
  private watching: Promise<void> | null = null;
  /** Shutting down: a sweep cut short by the queues closing is not an error (the next one covers it). */
  private stopping = false;

  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly renders: RendersService,
    private readonly prints: DocumentPrintingService,
    private readonly batches: BatchesService,
    private readonly mail: MailService,
    private readonly signing: SigningJobsService,
    private readonly rights: RightsJobsService,
    private readonly archive: ArchiveRenewalService,
    private readonly webhooks: WebhookDeliveryService,
    private readonly pdfs: PdfStoreService,
  ) {}

  onApplicationBootstrap(): void {
    this.watch(true);
    this.timer = setInterval(() => this.watch(false), WATCH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Every feature's sweep; one failing does not keep the others from theirs. */
  async sweepAll(): Promise<LastSweep> {
    const sweeps: Array<[string, () => Promise<SweepReport>]> = [
      ['batches', () => this.batches.sweep()],
      ['renders', () => this.renders.sweep()],
      ['prints', () => this.prints.sweep()],
      ['signing', () => this.signing.sweep()],
      ['archive', () => this.archive.sweep()],
      ['mail', () => this.mail.sweep()],
      ['rights', () => this.rights.sweep()],
      ['webhooks', () => this.webhooks.sweep()],
      ['pdfs', () => this.pdfs.sweep()],
    ];
    const requeued: SweepReport = {};
    const errors: string[] = [];
    for (const [feature, sweep] of sweeps) {
      if (this.stopping) break;
      try {
        Object.assign(requeued, await sweep());
      } catch (error) {
        errors.push(`${feature}: ${(error as Error).message}`);
      }
    }
    const found = Object.entries(requeued).filter(([, n]) => n > 0);
    if (found.length) this.logger.warn(`sweep re-queued ${found.map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
    if (errors.length && !this.stopping) this.logger.error(`sweep incomplete: ${errors.join('; ')}`);
    const last: LastSweep = { at: new Date().toISOString(), worker: process.pid, requeued, errors };
    await this.redis.client.set(lastSweepKey(this.config.queuePrefix), JSON.stringify(last)).catch(() => undefined);
    if (errors.length === sweeps.length && !this.stopping) throw new Error(`sweep failed: ${errors.join('; ')}`);
    return last;
  }

  /** Makes sure the scheduler exists (and a sweep runs now when it did not, or at start-up). One check at a time. */
  private watch(startup: boolean): void {
    if (this.watching) return;
    this.watching = this.ensureScheduled(startup)
      .catch((error: Error) => this.logger.warn(`sweep scheduler not checked: ${error.message}`))
      .finally(() => (this.watching = null));
  }

  private async ensureScheduled(startup: boolean): Promise<void> {
    const every = this.config.sweepSeconds * 1000;
    const scheduler = await this.queue.getJobScheduler(SWEEP_SCHEDULER_ID);
    const stale = !scheduler || Number(scheduler.every) !== every || Number(scheduler.next ?? 0) < Date.now() - 2 * every;
    if (stale) {
      await this.queue.upsertJobScheduler(
        SWEEP_SCHEDULER_ID,
        { every },
        { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 50 } },
      );
      if (!startup) this.logger.warn('the sweep scheduler was missing (Redis lost its data?): set up again, sweeping now');
    }
    if (stale || startup) {
      await this.queue.add('sweep', {}, { jobId: JOB_IDS.sweepNow(), removeOnComplete: true, removeOnFail: true });
    }
  }
}
