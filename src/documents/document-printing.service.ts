import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import QRCode from 'qrcode';
import { DomainError } from '../common/errors/domain-error';
import { DOCUMENTS_QUEUE, JOB_IDS } from '../common/queues';
import { CustodyService } from '../custody/custody.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { RenderedPdf } from '../rendering/pdf.renderer';
import { FormContext } from '../templates/template.engine';
import { DocumentsRepository } from './documents.repository';
import { PrintExemplarJob } from './documents.types';

/** What prints a form: the worker's FormPdfService (Chromium lives only there). */
export interface FormPrinter {
  renderForm(networkId: string, formId: string, data: Record<string, unknown>, exemplar: FormContext['exemplar']): Promise<RenderedPdf>;
}

/** Each exemplar's own PDF: its document's data, its 原本/写し mark, and its code and QR code on every page. */
@Injectable()
export class DocumentPrintingService {
  constructor(
    @InjectQueue(DOCUMENTS_QUEUE) private readonly queue: Queue<PrintExemplarJob>,
    private readonly documents: DocumentsRepository,
    private readonly custody: CustodyService,
    private readonly pdfs: PdfStoreService,
  ) {}

  /** Queues exemplars for the worker; an exemplar already queued is not queued twice. */
  async queuePrint(exemplarIds: string[]): Promise<void> {
    await this.queue.addBulk(
      exemplarIds.map((id) => ({ name: 'print-exemplar', data: { exemplarId: id }, opts: { jobId: JOB_IDS.printExemplar(id) } })),
    );
  }

  /** Prints one exemplar and keeps its PDF; an exemplar already printed is left as it is (a retry is a no-op). */
  async print(exemplarId: string, printer: FormPrinter): Promise<{ sha256: string }> {
    const exemplar = await this.custody.findById(exemplarId);
    if (!exemplar) throw new DomainError('NOT_FOUND', `exemplar ${exemplarId} does not exist`);
    if (exemplar.pdfSha256) return { sha256: exemplar.pdfSha256 };
    const data = await this.documents.versionData(exemplar.versionId);
    const qrDataUri = await QRCode.toDataURL(exemplar.code, { errorCorrectionLevel: 'M', margin: 1, scale: 4 });
    const { pdf, pageCount } = await printer.renderForm(exemplar.networkId, exemplar.formId, data, {
      documentNumber: exemplar.code,
      qrDataUri,
      mark: this.custody.markFor(exemplar),
    });
    return this.documents.transaction(async (manager) => {
      const sha256 = await this.pdfs.save(pdf, pageCount, manager);
      await this.custody.setPdf(exemplar.id, sha256, manager);
      return { sha256 };
    });
  }
}
