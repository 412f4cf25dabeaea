import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { RENDER_QUEUE } from '../common/queues';
import { FormPdfService } from './form-pdf.service';
import { PdfStoreService } from './pdf-store.service';
import { RenderRequestEntity } from './render-request.entity';
import { RenderJob } from './renders.service';

/**
 * Prints a queued render. A retry of a finished render is a no-op; a domain refusal (e.g. content that
 * does not fit the sheet) fails at once; anything else is retried with back-off, and the last attempt's
 * error is recorded so the user sees it.
 */
@Processor(RENDER_QUEUE, { concurrency: 2 })
export class RenderProcessor extends WorkerHost {
  private readonly logger = new Logger(RenderProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly formPdf: FormPdfService,
    private readonly pdfs: PdfStoreService,
  ) {
    super();
  }

  async process(job: Job<RenderJob>): Promise<{ sha256: string }> {
    const repo = this.dataSource.getRepository(RenderRequestEntity);
    const render = await repo.findOneBy({ id: job.data.renderId });
    if (!render) throw new UnrecoverableError(`render ${job.data.renderId} does not exist`);
    if (render.status === 'done' && render.pdfSha256) return { sha256: render.pdfSha256 };

    try {
      const { pdf, pageCount } = await this.formPdf.renderForm(render.networkId, render.formId, render.data);
      const sha256 = await this.dataSource.transaction(async (manager) => {
        const stored = await this.pdfs.save(pdf, pageCount, manager);
        await manager.update(RenderRequestEntity, render.id, {
          status: 'done',
          pdfSha256: stored,
          error: null,
          finishedAt: new Date(),
        });
        return stored;
      });
      return { sha256 };
    } catch (error) {
      const final = error instanceof DomainError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.warn(`render ${render.id} attempt ${job.attemptsMade + 1} failed: ${(error as Error).message}`);
      if (!final) throw error;
      await repo.update(render.id, { status: 'failed', error: (error as Error).message, finishedAt: new Date() });
      throw new UnrecoverableError((error as Error).message);
    }
  }
}
