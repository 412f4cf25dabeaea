import { Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError } from 'bullmq';
import QRCode from 'qrcode';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { DOCUMENTS_QUEUE } from '../common/queues';
import { CustodyService } from '../custody/custody.service';
import { ExemplarEntity } from '../custody/exemplar.entity';
import { FormPdfService } from '../rendering/form-pdf.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { DocumentsService, PrintExemplarJob } from './documents.service';

/**
 * Prints one exemplar: the document's data, its 原本/写し mark, and on every page its code and a QR
 * code of it (what the secretariat scans on receipt). A retry of a printed exemplar is a no-op.
 */
@Processor(DOCUMENTS_QUEUE, { concurrency: 2 })
export class DocumentPrintProcessor extends WorkerHost {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly formPdf: FormPdfService,
    private readonly pdfs: PdfStoreService,
  ) {
    super();
  }

  async process(job: Job<PrintExemplarJob>): Promise<{ sha256: string }> {
    const exemplar = await this.dataSource.getRepository(ExemplarEntity).findOneBy({ id: job.data.exemplarId });
    if (!exemplar) throw new UnrecoverableError(`exemplar ${job.data.exemplarId} does not exist`);
    if (exemplar.pdfSha256) return { sha256: exemplar.pdfSha256 };
    try {
      const data = await this.documents.versionData(exemplar.versionId);
      const qrDataUri = await QRCode.toDataURL(exemplar.code, { errorCorrectionLevel: 'M', margin: 1, scale: 4 });
      const { pdf, pageCount } = await this.formPdf.renderForm(exemplar.networkId, exemplar.formId, data, {
        documentNumber: exemplar.code,
        qrDataUri,
        mark: this.custody.markFor(exemplar),
      });
      return await this.dataSource.transaction(async (manager) => {
        const sha256 = await this.pdfs.save(pdf, pageCount, manager);
        await this.custody.setPdf(exemplar.id, sha256, manager);
        return { sha256 };
      });
    } catch (error) {
      if (error instanceof DomainError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
