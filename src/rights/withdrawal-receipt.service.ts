import { Inject, Injectable, Logger } from '@nestjs/common';
import { OfficesService } from '../accounts/offices.service';
import { toSeireki, todayInJapan } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { DocumentsService, DocumentView } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { SealRecordsService } from '../signing/seal-records.service';
import { SealService } from '../signing/seal.service';
import { RightsRepository } from './rights.repository';
import { ConsentWithdrawal, WITHDRAWAL_CHANNEL_LABELS } from './rights.types';
import { Transactions } from '../common/database/transactions';

/**
 * The worker's half of a withdrawal: its one-page 撤回受付票, rendered and sealed through the same path as
 * a signed document (SealService), becomes exemplars of the consent under the consent's own custody rule
 * (originals sealed, a 写し stamped), each recorded in the ledger; the patient's side gets theirs by
 * e-mail (the parties who signed with an address), or the office hands it over and records that. Once.
 */
@Injectable()
export class WithdrawalReceiptService {
  private readonly logger = new Logger(WithdrawalReceiptService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RightsRepository,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
    private readonly people: PeopleService,
    private readonly custody: CustodyService,
    private readonly pdfs: PdfStoreService,
    private readonly seals: SealService,
    private readonly sealRecords: SealRecordsService,
    private readonly mail: MailService,
    private readonly transactions: Transactions,
  ) {}

  async produce(withdrawalId: string): Promise<{ produced: boolean }> {
    const withdrawal = await this.repository.withdrawal(withdrawalId);
    if (!withdrawal || withdrawal.receiptSealedAt) return { produced: false };
    const doc = await this.documents.byId(withdrawal.documentId);
    if (doc.status !== 'revoked') return { produced: false }; // erased meanwhile: nothing left to receipt
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    const context = await this.context(doc, withdrawal);
    const html = this.networks.engine.wrapDocument([this.networks.engine.renderShared('withdrawal-receipt.hbs', context)], '撤回受付票');
    const files = await this.seals.sealSheet(html, {
      networkId: doc.networkId,
      reason: `${form.title}（書類番号 ${doc.number}）の同意の撤回の受付を封緘`,
      copy: form.custody.copies.length > 0,
    });
    const recipients = await this.sealRecords.patientSideOf(doc);
    const outbox = await this.transactions.run(async (manager) => {
      const locked = await this.repository.lockWithdrawal(manager, withdrawal.id);
      if (!locked || locked.receiptSealedAt) return null;
      const sealedSha = await this.pdfs.save(files.sealed, files.pageCount, manager);
      const copySha = files.copy ? await this.pdfs.save(files.copy, files.pageCount, manager) : null;
      await this.sealRecords.recordSealedFile(manager, files.sealed, { sha256: sealedSha, documentId: doc.id, requestId: null });
      const versionId = doc.exemplars.find((e) => e.sheet === 'form')?.versionId ?? doc.version.id;
      const exemplars = await this.custody.createExemplars(
        manager,
        { ...doc, documentId: doc.id, versionId, rule: form.custody, sheet: 'withdrawal-receipt' },
        null,
      );
      for (const e of exemplars) {
        await this.custody.setPdf(e.id, e.kind === 'original' ? sealedSha : copySha!, manager);
        if (e.kind === 'original')
          await this.custody.recordBySystem(manager, e, 'signed_electronically', `封緘 ${sealedSha.slice(0, 16)}…`);
      }
      await this.repository.markReceiptSealed(manager, withdrawal.id);
      const patientExemplar = exemplars.find((e) => e.holder === 'patient');
      if (!patientExemplar) return [] as QueuedMail[];
      return this.sealRecords.deliverToPatientSide(manager, doc, patientExemplar, recipients, async () => ({
        kind: 'withdrawal-receipt',
        context,
      }));
    });
    if (!outbox) return { produced: false };
    await this.mail.dispatch(outbox);
    this.logger.log(`sealed the withdrawal receipt of ${doc.number}`);
    return { produced: true };
  }

  /** What the receipt (and its e-mail) say: the consent, the patient, when and how the withdrawal was received. */
  private async context(doc: DocumentView, withdrawal: ConsentWithdrawal): Promise<Record<string, unknown>> {
    const network = this.networks.getNetwork(doc.networkId);
    const office = await this.offices.get(doc.officeId);
    const patient = doc.subjectId ? await this.people.findPatientWithFamily(doc.subjectId) : null;
    return {
      networkName: network.name,
      operator: network.operator,
      officeName: office.name,
      formTitle: doc.formTitle,
      formNumber: doc.formNumber,
      documentNumber: doc.number,
      patientName: patient?.name ?? '',
      consentedOn: doc.signedAt ? toSeireki(todayInJapan(doc.signedAt)) : '',
      receivedOn: toSeireki(withdrawal.receivedAt),
      receivedVia: WITHDRAWAL_CHANNEL_LABELS[withdrawal.receivedVia],
      recordedByName: withdrawal.recordedByName,
      note: withdrawal.note,
      issuedOn: toSeireki(todayInJapan()),
      verifyUrl: `${this.config.publicUrl}/verify`,
    };
  }
}
