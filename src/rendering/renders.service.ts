import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { DueJob, SweepReport, addSoon, requeue, unqueued } from '../common/job-delivery';
import { JOB_IDS, RENDER_QUEUE } from '../common/queues';
import { isUuid } from '../common/validation';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from './pdf-store.service';
import type { RenderJob } from './render-jobs.service';
import { RenderRequestEntity } from './render-request.entity';
import { RenderRequestsRepository } from './render-requests.repository';

/**
 * API side of rendering: validates, records the request and queues it; never touches Chromium. A render is
 * its creator's: anyone else asking for it (another office, the 事務局, an admin) is told it does not exist. The row
 * (status `queued`) is the record of the work: the sweeper queues it again if Redis never got or lost it.
 */
@Injectable()
export class RendersService {
  constructor(
    private readonly requests: RenderRequestsRepository,
    @InjectQueue(RENDER_QUEUE) private readonly queue: Queue<RenderJob>,
    private readonly networks: NetworksService,
    private readonly pdfs: PdfStoreService,
    private readonly audit: AuditService,
  ) {}

  async request(user: CurrentUser, networkId: string, formId: string, input: unknown): Promise<RenderRequestEntity> {
    const data = this.networks.validate(networkId, formId, input);
    const render = await this.requests.create(networkId, formId, data, user.id);
    await addSoon(this.queue, [renderJob(render)]);
    return render;
  }

  /** Every render still waiting for its PDF, as the job that prints it. */
  async dueJobs(limit = 500): Promise<DueJob[]> {
    return (await this.requests.queued(limit)).map(renderJob);
  }

  /** Worker side (the sweeper): queues each due render that Redis does not hold. */
  async sweep(): Promise<SweepReport> {
    return { renders: (await requeue(this.queue, await this.dueJobs())).length };
  }

  /** For /health: work due since before `since` that Redis does not hold (the sweeper has not caught it). */
  async backlog(since: Date): Promise<DueJob[]> {
    return unqueued(
      this.queue,
      (await this.dueJobs(50)).filter((job) => job.dueAt < since),
    );
  }

  /** The user's own render; another's is answered like a missing one (404), and the attempt is audited. */
  async get(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<RenderRequestEntity> {
    const render = isUuid(id) ? await this.requests.findById(id) : null;
    const missing = `印刷依頼「${id}」はありません`;
    if (!render) throw new DomainError('RENDER_NOT_FOUND', missing);
    if (render.createdBy !== user.id) {
      const target = { type: 'render', id: render.id };
      await this.audit.record({ action: 'access_denied', actor: user, target, origin, detail: { role: user.role } });
      throw new DomainError('RENDER_NOT_FOUND', missing);
    }
    return render;
  }

  async pdf(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<{ render: RenderRequestEntity; pdf: Buffer }> {
    const render = await this.get(user, id, origin);
    if (render.status === 'failed') {
      throw new DomainError('RENDER_FAILED', `PDFを作成できませんでした: ${render.error ?? '不明なエラー'}`);
    }
    const pdf = render.pdfSha256 ? await this.pdfs.content(render.pdfSha256) : null;
    if (!pdf) throw new DomainError('RENDER_NOT_READY', 'PDFはまだ作成中です。少し待ってからもう一度取得してください');
    return { render, pdf };
  }
}

function renderJob(render: Pick<RenderRequestEntity, 'id' | 'createdAt'>): DueJob {
  return { name: 'render', jobId: JOB_IDS.render(render.id), data: { renderId: render.id } satisfies RenderJob, dueAt: render.createdAt };
}
