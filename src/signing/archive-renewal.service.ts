import { Inject, Injectable, Logger } from '@nestjs/common';
import { PDFDocument } from 'pdf-lib';
import { AuditService } from '../audit/audit.service';
import { SweepReport } from '../common/job-delivery';
import { formatJst } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { archiveFacts, readSignatures } from './pdf-archive';
import { SealService } from './seal.service';
import { SealedFilesRepository } from './sealed-files.repository';
import { Transactions } from '../common/database/transactions';

/** Renewals per sweep: each asks the OCSP/CRL sources and the authority; the next sweep takes the rest. */
const PER_SWEEP = 20;

/**
 * Archive-timestamp renewal, run by the one sweeper: every stored sealed file (signed forms, 撤回受付票)
 * whose newest document timestamp's certificate ends within ARCHIVE_RENEW_DAYS gets validation data for
 * that timestamp and a new document timestamp, appended. The exemplars then hold the renewed file; each
 * renewal is in their ledger and the audit log. A failure leaves the file as it was, for the next sweep.
 */
@Injectable()
export class ArchiveRenewalService {
  private readonly logger = new Logger(ArchiveRenewalService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: SealedFilesRepository,
    private readonly seals: SealService,
    private readonly pdfs: PdfStoreService,
    private readonly custody: CustodyService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async sweep(): Promise<SweepReport> {
    if (!this.seals.archiving) return {};
    const due = await this.files.due(new Date(Date.now() + this.config.archiveRenewDays * 86_400_000), PER_SWEEP);
    let renewed = 0;
    const failures: string[] = [];
    for (const file of due) {
      try {
        if (await this.renew(file.sha256)) renewed++;
      } catch (error) {
        failures.push(`${file.sha256.slice(0, 16)}: ${(error as Error).message}`);
      }
    }
    if (failures.length) throw new Error(`archive renewal failed for ${failures.length} of ${due.length}: ${failures.join('; ')}`);
    return { archiveRenewals: renewed };
  }

  /** Renews one sealed file; false when it is gone or another run renewed it first. */
  async renew(sha256: string): Promise<boolean> {
    const file = await this.files.byHash(sha256);
    const pdf = await this.pdfs.content(sha256);
    if (!file || !pdf) {
      await this.files.forget(sha256);
      return false;
    }
    const renewed = await this.seals.renewArchive(pdf);
    const facts = archiveFacts(renewed, readSignatures(renewed));
    const pageCount = (await PDFDocument.load(renewed, { updateMetadata: false })).getPageCount();
    const done = await this.transactions.run(async (manager) => {
      const to = await this.pdfs.save(renewed, pageCount, manager);
      if (!(await this.files.markRenewed(manager, sha256, to))) return null;
      await this.files.record(manager, { ...file, sha256: to, verifiableUntil: facts.verifiableUntil });
      const until = facts.verifiableUntil ? formatJst(facts.verifiableUntil) : '不明';
      const exemplars = await this.custody.replaceSealedPdf(
        manager,
        sha256,
        to,
        `文書タイムスタンプを追加 ${to.slice(0, 16)}…（検証期限 ${until}）`,
      );
      await this.audit.record(
        {
          action: 'archive_timestamp_renewed',
          target: { type: 'document', id: file.documentId },
          detail: {
            from: sha256,
            to,
            exemplars: exemplars.map((e) => e.code),
            verifiableUntil: facts.verifiableUntil?.toISOString() ?? null,
          },
        },
        manager,
      );
      // The previous file is superseded by its renewal (a prefix of it); kept only while something refers to it.
      await this.pdfs.deleteUnused(manager, [sha256]);
      return to;
    });
    if (done) this.logger.log(`renewed the archive timestamp of ${sha256.slice(0, 16)}… as ${done.slice(0, 16)}…`);
    return done !== null;
  }
}
