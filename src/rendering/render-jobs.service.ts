import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DomainError } from '../common/errors/domain-error';
import { isTransientError } from '../common/transient-error';
import { FormPdfService } from './form-pdf.service';
import { PdfStoreService } from './pdf-store.service';
import { RenderRequestsRepository } from './render-requests.repository';

export interface RenderJob {
  renderId: string;
}

/** Which attempt of a job this is, and how many it is allowed. */
export interface Attempt {
  number: number;
  of: number;
}

/**
 * Worker side of rendering: prints a queued render. A retry of a finished render is a no-op; a domain
 * refusal (e.g. content that does not fit the sheet) fails at once; anything else is retried with back-off,
 * and the last attempt's error is recorded so the user sees it (unless the database or Redis was only away).
 */
@Injectable()
export class RenderJobsService {
  private readonly logger = new Logger(RenderJobsService.name);

  constructor(
    private readonly requests: RenderRequestsRepository,
    private readonly formPdf: FormPdfService,
    private readonly pdfs: PdfStoreService,
  ) {}

  async print(renderId: string, attempt: Attempt): Promise<{ sha256: string }> {
    const render = await this.requests.findById(renderId);
    if (!render) throw new UnrecoverableError(`render ${renderId} does not exist`);
    if (render.status === 'done' && render.pdfSha256) return { sha256: render.pdfSha256 };
    try {
      const { pdf, pageCount } = await this.formPdf.renderForm(render.networkId, render.formId, render.data);
      return { sha256: await this.requests.finish(render.id, (manager) => this.pdfs.save(pdf, pageCount, manager)) };
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`render ${render.id} attempt ${attempt.number} failed: ${message}`);
      if (!(error instanceof DomainError) && attempt.number < attempt.of) throw error;
      if (isTransientError(error)) throw error; // the database or Redis was away: still queued, the sweeper retries
      await this.requests.fail(render.id, message);
      throw new UnrecoverableError(message);
    }
  }
}
