import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { DomainError } from '../common/errors/domain-error';
import { DOCUMENTS_QUEUE } from '../common/queues';
import { FormPdfService } from '../rendering/form-pdf.service';
import { DocumentPrintingService } from './document-printing.service';
import { PrintExemplarJob } from './documents.types';

/** Prints one exemplar (see DocumentPrintingService.print). A domain error will not go away on a retry. */
@Processor(DOCUMENTS_QUEUE, { concurrency: 2 })
export class DocumentPrintProcessor extends WorkerHost {
  constructor(
    private readonly printing: DocumentPrintingService,
    private readonly formPdf: FormPdfService,
  ) {
    super();
  }

  async process(job: Job<PrintExemplarJob>): Promise<{ sha256: string }> {
    try {
      return await this.printing.print(job.data.exemplarId, this.formPdf);
    } catch (error) {
      if (error instanceof DomainError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
