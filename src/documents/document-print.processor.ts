import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { DOCUMENTS_QUEUE, WORKER_NAME } from '../common/queues';
import { FormPdfService } from '../rendering/form-pdf.service';
import { DocumentPrintingService } from './document-printing.service';
import { PrintJob } from './documents.types';

/** Prints one exemplar (see DocumentPrintingService.print) or a bare version for a disclosure. */
@Processor(DOCUMENTS_QUEUE, { name: WORKER_NAME, concurrency: 2 })
export class DocumentPrintProcessor extends LoggedWorkerHost {
  constructor(
    private readonly printing: DocumentPrintingService,
    private readonly formPdf: FormPdfService,
  ) {
    super();
  }

  process(job: Job<PrintJob>): Promise<{ sha256: string }> {
    if ('versionId' in job.data) return this.printing.printVersion(job.data.versionId, this.formPdf);
    return this.printing.print(job.data.exemplarId, this.formPdf, { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 });
  }
}
