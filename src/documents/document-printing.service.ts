import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue, UnrecoverableError } from 'bullmq';
import { DomainError } from '../common/errors/domain-error';
import { Delivery, DueJob, SweepReport, addSoon, requeue, unqueued } from '../common/job-delivery';
import { DOCUMENTS_QUEUE, JOB_IDS } from '../common/queues';
import { isTransientError } from '../common/transient-error';
import { CustodyService } from '../custody/custody.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { RenderedPdf } from '../rendering/pdf.renderer';
import { FormContext } from '../templates/template.engine';
import { DocumentsRepository } from './documents.repository';
import { PrintExemplarJob, PrintJob } from './documents.types';
import { Transactions } from '../common/database/transactions';
import { qrSvgDataUri } from '../common/qr-code';

/** What prints a form: the worker's FormPdfService (Chromium lives only there). */
export interface FormPrinter {
  renderForm(networkId: string, formId: string, data: Record<string, unknown>, exemplar: FormContext['exemplar']): Promise<RenderedPdf>;
}

/**
 * Each exemplar's own PDF: its document's data, its 原本/写し mark, and its code and QR code on every page.
 * The exemplar's row records that its PDF is wanted (`requestPrints`, in the transaction that asks); the
 * queue only carries the work, and the sweeper re-queues what Redis never got or lost.
 */
@Injectable()
export class DocumentPrintingService {
  private readonly logger = new Logger(DocumentPrintingService.name);

  constructor(
    @InjectQueue(DOCUMENTS_QUEUE) private readonly queue: Queue<PrintJob>,
    private readonly documents: DocumentsRepository,
    private readonly custody: CustodyService,
    private readonly pdfs: PdfStoreService,
    private readonly transactions: Transactions,
  ) {}

  /** After the commit that requested them: queues the exemplars' prints without waiting long on Redis. */
  queuePrint(exemplarIds: string[]): Promise<Delivery> {
    return addSoon(
      this.queue,
      exemplarIds.map((id) => printJob({ id, printRequestedAt: new Date() })),
    );
  }

  /** Queues bare versions (no exemplar was issued from them) for a disclosure; one job per version. */
  async queueVersionPrint(versionIds: string[]): Promise<void> {
    await this.queue.addBulk(
      versionIds.map((id) => ({ name: 'print-version', data: { versionId: id }, opts: { jobId: JOB_IDS.printVersion(id) } })),
    );
  }

  /** Prints a version as its form, without mark or QR code (it was never issued), and keeps the PDF. */
  async printVersion(versionId: string, printer: FormPrinter): Promise<{ sha256: string }> {
    const version = await this.documents.findVersion(versionId);
    if (!version) throw new DomainError('NOT_FOUND', `version ${versionId} does not exist`);
    if (version.pdfSha256) return { sha256: version.pdfSha256 };
    const doc = await this.documents.find(version.documentId);
    if (!doc || doc.status === 'erased') throw new DomainError('NOT_FOUND', `document ${version.documentId} is erased`);
    const { pdf, pageCount } = await printer.renderForm(doc.networkId, doc.formId, version.data, null);
    return this.transactions.run(async (manager) => {
      const sha256 = await this.pdfs.save(pdf, pageCount, manager);
      await this.documents.setVersionPdf(manager, version.id, sha256);
      return { sha256 };
    });
  }

  /** Every exemplar whose PDF was asked for and is not made yet, as the job that prints it. */
  async dueJobs(limit = 500): Promise<DueJob[]> {
    return (await this.custody.printsDue(limit)).map(printJob);
  }

  /** Worker side (the sweeper): queues each due print that Redis does not hold. */
  async sweep(): Promise<SweepReport> {
    return { prints: (await requeue(this.queue, await this.dueJobs())).length };
  }

  /** For /health: work due since before `since` that Redis does not hold (the sweeper has not caught it). */
  async backlog(since: Date): Promise<DueJob[]> {
    return unqueued(
      this.queue,
      (await this.dueJobs(50)).filter((job) => job.dueAt < since),
    );
  }

  /**
   * Prints one exemplar and keeps its PDF; an exemplar already printed is left as it is (a retry is a no-op).
   * A refusal (e.g. content that does not fit) or the last attempt's error is recorded, unless the database
   * or Redis was only away for a moment: then the sweeper tries again later.
   */
  async print(exemplarId: string, printer: FormPrinter, attempt: { number: number; of: number }): Promise<{ sha256: string }> {
    const exemplar = await this.custody.findById(exemplarId);
    if (!exemplar) throw new UnrecoverableError(`exemplar ${exemplarId} does not exist`);
    if (exemplar.pdfSha256) return { sha256: exemplar.pdfSha256 };
    if (exemplar.state === 'destroyed' || exemplar.sheet !== 'form')
      throw new DomainError('NOT_FOUND', `exemplar ${exemplarId} is not printed`);
    try {
      const data = await this.documents.versionData(exemplar.versionId);
      const qrDataUri = await qrSvgDataUri(exemplar.code);
      const { pdf, pageCount } = await printer.renderForm(exemplar.networkId, exemplar.formId, data, {
        documentNumber: exemplar.code,
        qrDataUri,
        mark: this.custody.markFor(exemplar),
      });
      return await this.transactions.run(async (manager) => {
        const printed = await this.pdfs.save(pdf, pageCount, manager);
        return { sha256: await this.custody.setPrintedPdf(exemplar.id, printed, manager) };
      });
    } catch (error) {
      const final = error instanceof DomainError || attempt.number >= attempt.of;
      if (!final || isTransientError(error)) throw error;
      this.logger.warn(`exemplar ${exemplar.code} could not be printed: ${(error as Error).message}`);
      await this.custody.printFailed(exemplar.id, (error as Error).message);
      throw new UnrecoverableError((error as Error).message);
    }
  }
}

function printJob(exemplar: { id: string; printRequestedAt: Date | null }): DueJob {
  return {
    name: 'print-exemplar',
    jobId: JOB_IDS.printExemplar(exemplar.id),
    data: { exemplarId: exemplar.id } satisfies PrintExemplarJob,
    dueAt: exemplar.printRequestedAt ?? new Date(),
  };
}
