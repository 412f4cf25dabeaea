import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DomainError } from '../common/errors/domain-error';
import { JOB_IDS, RENDER_QUEUE } from '../common/queues';
import { isUuid } from '../common/validation';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from './pdf-store.service';
import type { RenderJob } from './render-jobs.service';
import { RenderRequestEntity } from './render-request.entity';
import { RenderRequestsRepository } from './render-requests.repository';

/** API side of rendering: validates, records the request and queues it; never touches Chromium. */
@Injectable()
export class RendersService {
  constructor(
    private readonly requests: RenderRequestsRepository,
    @InjectQueue(RENDER_QUEUE) private readonly queue: Queue<RenderJob>,
    private readonly networks: NetworksService,
    private readonly pdfs: PdfStoreService,
  ) {}

  async request(networkId: string, formId: string, input: unknown): Promise<RenderRequestEntity> {
    const data = this.networks.validate(networkId, formId, input);
    const render = await this.requests.create(networkId, formId, data);
    await this.queue.add('render', { renderId: render.id }, { jobId: JOB_IDS.render(render.id) });
    return render;
  }

  async get(id: string): Promise<RenderRequestEntity> {
    const render = isUuid(id) ? await this.requests.findById(id) : null;
    if (!render) throw new DomainError('RENDER_NOT_FOUND', `印刷依頼「${id}」はありません`);
    return render;
  }

  async pdf(id: string): Promise<{ render: RenderRequestEntity; pdf: Buffer }> {
    const render = await this.get(id);
    if (render.status === 'failed') {
      throw new DomainError('RENDER_FAILED', `PDFを作成できませんでした: ${render.error ?? '不明なエラー'}`);
    }
    const pdf = render.pdfSha256 ? await this.pdfs.content(render.pdfSha256) : null;
    if (!pdf) throw new DomainError('RENDER_NOT_READY', 'PDFはまだ作成中です。少し待ってからもう一度取得してください');
    return { render, pdf };
  }
}
