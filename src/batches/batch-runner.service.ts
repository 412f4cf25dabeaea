import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { toCurrentUser } from '../accounts/auth.service';
import { CurrentUser } from '../accounts/current-user';
import { OfficeEntity } from '../accounts/office.entity';
import { UserEntity } from '../accounts/user.entity';
import { InvalidFormDataError } from '../common/errors/domain-error';
import { CustodyService } from '../custody/custody.service';
import { ExemplarEntity } from '../custody/exemplar.entity';
import { DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { StaffMemberEntity } from '../people/staff-member.entity';
import { BrowserPool } from '../rendering/browser.pool';
import { BROWSER_POOL } from '../rendering/form-pdf.service';
import { PdfRenderer } from '../rendering/pdf.renderer';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { SigningService } from '../signing/signing.service';
import { todayInJapan } from '../common/japan-date';
import { buildDraft, DraftSources } from '../networks/prefill';
import { BatchChunkEntity, BatchEntity, BatchPersonEntity } from './batch.entities';
import { BulkPrinter, CHUNK_SIZE, PrintItem } from './bulk-printer';

/**
 * Carries out a batch in steps that each commit on their own, so a worker killed at any point resumes
 * where it stopped, with no person missing or duplicated:
 *   people  — per person, in one transaction: staff record, pledge(s) with their exemplars, row marked done;
 *   notices — the staff-change notice(s) listing everyone added, changed or removed;
 *   print   — chunks of ~250 forms, each one page.pdf(), kept as they finish; then merged into one PDF;
 *   or esign — a signing link to each new person instead of printing their pledge.
 */
@Injectable()
export class BatchRunnerService {
  private readonly logger = new Logger(BatchRunnerService.name);
  private readonly printer: BulkPrinter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BROWSER_POOL) private readonly pool: BrowserPool,
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly pdfs: PdfStoreService,
    private readonly signing: SigningService,
  ) {
    this.printer = new BulkPrinter(networks, new PdfRenderer(pool));
  }

  async run(batchId: string, onProgress: (progress: { phase: string; done: number; total: number }) => Promise<void>): Promise<void> {
    const batches = this.dataSource.getRepository(BatchEntity);
    const batch = await batches.findOneByOrFail({ id: batchId });
    if (batch.status === 'done') return;
    await batches.update(batch.id, { status: 'running' });
    const office = await this.dataSource.getRepository(OfficeEntity).findOneByOrFail({ id: batch.officeId });
    const creator = toCurrentUser(await this.dataSource.getRepository(UserEntity).findOneByOrFail({ id: batch.createdBy! }));
    const report = async (phase: string, done: number, total: number) => {
      await batches.update(batch.id, { phase, progressDone: done, progressTotal: total });
      await onProgress({ phase, done, total });
    };

    await this.people(batch, office, creator, report);
    await this.notices(batch, office, creator);
    if (batch.mode === 'esign') await this.sendSigningLinks(batch, creator, report);
    await this.print(batch, office, report);
    await batches.update(batch.id, { status: 'done', phase: 'done', finishedAt: new Date() });
  }

  private async people(
    batch: BatchEntity,
    office: OfficeEntity,
    creator: CurrentUser,
    report: (phase: string, done: number, total: number) => Promise<void>,
  ): Promise<void> {
    const repo = this.dataSource.getRepository(BatchPersonEntity);
    const all = await repo.find({ where: { batchId: batch.id }, order: { position: 'ASC' } });
    const planned = all.filter((p) => p.status !== 'rejected');
    let done = planned.filter((p) => p.status === 'done').length;
    const network = this.networks.getNetwork(office.networkId);
    const pledge = network.forms.find((f) => f.subject === 'staff' && f.purpose === 'pledge');
    const officePledge = network.forms.find(
      (f) => f.subject === 'office' && f.purpose === 'pledge' && f.signers.some((s) => s.kind === 'manager'),
    );
    for (const person of planned.filter((p) => p.status === 'pending')) {
      try {
        await this.dataSource.transaction(async (manager) => {
          const documentIds: string[] = [];
          let staffId: string | null = null;
          if (person.action === '新規') {
            const staff = await manager.save(
              manager.create(StaffMemberEntity, {
                officeId: office.id,
                name: person.name!,
                nameKana: person.nameKana,
                jobTitle: person.jobTitle,
                email: person.email,
                isManager: person.manager,
                active: true,
              }),
            );
            staffId = staff.id;
            const sources: DraftSources = {
              ...officeSources(office, null, creator),
              issueDate: person.startDate ?? todayInJapan(),
              staff,
            };
            if (pledge)
              documentIds.push(
                (await this.documents.createIssuedIn(manager, creator, office, pledge.id, staff.id, buildDraft(pledge, sources))).document
                  .id,
              );
            if (officePledge && person.manager) {
              const data = buildDraft(officePledge, { ...sources, manager: { name: staff.name } });
              documentIds.push((await this.documents.createIssuedIn(manager, creator, office, officePledge.id, null, data)).document.id);
            }
          } else {
            const staff = await manager.findOneByOrFail(StaffMemberEntity, { officeId: office.id, email: person.email!, active: true });
            staffId = staff.id;
            if (person.action === '変更')
              await manager.update(StaffMemberEntity, staff.id, {
                name: person.name!,
                nameKana: person.nameKana ?? staff.nameKana,
                jobTitle: person.jobTitle,
              });
            else await manager.update(StaffMemberEntity, staff.id, { active: false, leftAt: new Date() });
          }
          await manager.update(
            BatchPersonEntity,
            { id: person.id, status: 'pending' },
            { status: 'done', staffMemberId: staffId, documentIds },
          );
        });
      } catch (error) {
        if (!(error instanceof InvalidFormDataError)) throw error;
        // The office's own data cannot fill this person's form: the row is reported, the others go on.
        await repo.update(person.id, { status: 'rejected', problems: error.errors.map((e) => ({ column: e.label, message: e.message })) });
      }
      await report('people', ++done, planned.length);
    }
  }

  private async notices(batch: BatchEntity, office: OfficeEntity, creator: CurrentUser): Promise<void> {
    const fresh = await this.dataSource.getRepository(BatchEntity).findOneByOrFail({ id: batch.id });
    const form = this.networks.getNetwork(office.networkId).forms.find((f) => f.subject === 'office' && f.purpose === 'notice');
    if (!form || fresh.notices.length > 0 || fresh.problems.some((p) => p.startsWith('従事者の変更届'))) return;
    const people = await this.dataSource
      .getRepository(BatchPersonEntity)
      .find({ where: { batchId: batch.id, status: 'done' }, order: { position: 'ASC' } });
    if (people.length === 0) return;
    const membersField = form.fields.find((f) => f.type === 'list');
    const perNotice = membersField?.maxItems ?? people.length;
    const manager = await this.dataSource
      .getRepository(StaffMemberEntity)
      .findOne({ where: { officeId: office.id, isManager: true, active: true }, order: { createdAt: 'ASC' } });
    try {
      await this.dataSource.transaction(async (tx) => {
        const notices: Array<{ documentId: string; number: string }> = [];
        for (let i = 0; i < people.length; i += perNotice) {
          const data = buildDraft(form, {
            ...officeSources(office, manager?.name ?? creator.name, creator),
            issueDate: todayInJapan(),
            changes: people.slice(i, i + perNotice),
          });
          const { document } = await this.documents.createIssuedIn(tx, creator, office, form.id, null, data);
          notices.push({ documentId: document.id, number: document.number });
        }
        await tx.update(BatchEntity, batch.id, { notices });
      });
    } catch (error) {
      if (!(error instanceof InvalidFormDataError)) throw error;
      const missing = error.errors.map((e) => `${e.label}: ${e.message}`).join('、');
      await this.dataSource.query(`UPDATE batch SET problems = problems || $2::jsonb WHERE id = $1`, [
        batch.id,
        JSON.stringify([`従事者の変更届（${form.number}）を作れませんでした: ${missing}。事業所の情報を登録してから作成してください`]),
      ]);
    }
  }

  private async sendSigningLinks(
    batch: BatchEntity,
    creator: CurrentUser,
    report: (phase: string, done: number, total: number) => Promise<void>,
  ): Promise<void> {
    const people = await this.dataSource
      .getRepository(BatchPersonEntity)
      .find({ where: { batchId: batch.id, status: 'done', action: '新規' }, order: { position: 'ASC' } });
    let done = 0;
    for (const person of people) {
      const pledgeId = person.documentIds[0];
      const [{ requested }] = await this.dataSource.query(`SELECT count(*)::int AS requested FROM signing_request WHERE document_id = $1`, [
        pledgeId,
      ]);
      if (!requested && person.email) {
        const document = await this.documents.byId(pledgeId);
        const role = this.networks.getForm(document.networkId, document.formId).form.signers.find((s) => s.kind === 'staff');
        if (role)
          await this.signing.create(
            creator,
            pledgeId,
            { signers: [{ role: role.role, name: person.name!, email: person.email, method: 'email' }] },
            null,
          );
      }
      await report('esign', ++done, people.length);
    }
  }

  /** The print: a cover, then each person's original(s), then the notice(s). */
  private async print(
    batch: BatchEntity,
    office: OfficeEntity,
    report: (phase: string, done: number, total: number) => Promise<void>,
  ): Promise<void> {
    const fresh = await this.dataSource.getRepository(BatchEntity).findOneByOrFail({ id: batch.id });
    if (fresh.pdfSha256) return;
    const people = await this.dataSource
      .getRepository(BatchPersonEntity)
      .find({ where: { batchId: batch.id, status: 'done' }, order: { position: 'ASC' } });
    const pledgeDocs = batch.mode === 'print' ? people.flatMap((p) => p.documentIds) : [];
    const items = await this.itemsFor([...pledgeDocs, ...fresh.notices.map((n) => n.documentId)]);
    if (items.length === 0) return;
    const network = this.networks.getNetwork(office.networkId);
    const cover = {
      title: '誓約書等 一括印刷',
      lines: [
        `${network.name}　${office.name}`,
        `作成日 ${todayInJapan()}　${people.length}名（${people.filter((p) => p.action === '新規').length}名追加）`,
        '各書類に署名・押印のうえ、原本を所定の提出先へお送りください。書類下部のQRコードで受領を記録します。',
      ],
      people: people.map((p) => ({
        name: p.name ?? '',
        detail: `${p.action}${p.jobTitle ? `・${p.jobTitle}` : ''}${p.action === '新規' && batch.mode === 'print' ? '・誓約書' : ''}`,
      })),
    };
    const chunks: PrintItem[][] = [];
    for (let i = 0; i < items.length; i += CHUNK_SIZE) chunks.push(items.slice(i, i + CHUNK_SIZE));
    const chunkRepo = this.dataSource.getRepository(BatchChunkEntity);
    const printed = new Set((await chunkRepo.find({ where: { batchId: batch.id } })).map((c) => c.index));
    let finished = printed.size;
    await report('print', finished, chunks.length);
    let next = 0;
    const coverHtml = this.printer.coverHtml(cover, batch.duplex);
    const coverPages = (coverHtml.match(/<section class="page/g) ?? []).length;
    await Promise.all(
      Array.from({ length: Math.min(this.pool.stats.size, chunks.length) }, async () => {
        while (next < chunks.length) {
          const index = next++;
          if (printed.has(index)) continue;
          const bodies = await Promise.all(chunks[index].map((item) => this.printer.itemHtml(item, batch.duplex)));
          const expected =
            chunks[index].reduce((sum, item) => sum + this.printer.pagesOf(item, batch.duplex), 0) + (index === 0 ? coverPages : 0);
          const { pdf, pageCount } = await this.printer.printChunk(index === 0 ? [coverHtml, ...bodies] : bodies, expected);
          await this.dataSource.transaction(async (manager) => {
            const sha256 = await this.pdfs.save(pdf, pageCount, manager);
            await manager
              .createQueryBuilder()
              .insert()
              .into(BatchChunkEntity)
              .values({ batchId: batch.id, index, pdfSha256: sha256, pageCount })
              .orIgnore()
              .execute();
          });
          await report('print', ++finished, chunks.length);
        }
      }),
    );
    const stored = await chunkRepo.find({ where: { batchId: batch.id }, order: { index: 'ASC' } });
    const pdf = await this.printer.merge(await Promise.all(stored.map(async (c) => (await this.pdfs.content(c.pdfSha256))!)));
    const pageCount = stored.reduce((sum, c) => sum + c.pageCount, 0);
    await this.dataSource.transaction(async (manager) => {
      const sha256 = await this.pdfs.save(pdf, pageCount, manager);
      await manager.update(BatchEntity, batch.id, { pdfSha256: sha256, pageCount });
    });
    this.logger.log(`batch ${batch.id}: ${pageCount} pages in ${stored.length} chunk(s)`);
  }

  /** The originals to print for these documents, in order, with their data, code and mark. */
  private async itemsFor(documentIds: string[]): Promise<PrintItem[]> {
    if (documentIds.length === 0) return [];
    const exemplars = await this.dataSource
      .getRepository(ExemplarEntity)
      .find({ where: { documentId: In(documentIds), kind: 'original' }, order: { code: 'ASC' } });
    const versions: Array<{ id: string; data: Record<string, unknown> }> = await this.dataSource.query(
      `SELECT id, data FROM document_version WHERE id = ANY($1)`,
      [[...new Set(exemplars.map((e) => e.versionId))]],
    );
    const dataOf = new Map(versions.map((v) => [v.id, v.data]));
    const order = new Map(documentIds.map((id, i) => [id, i]));
    return exemplars
      .sort((a, b) => order.get(a.documentId)! - order.get(b.documentId)! || a.code.localeCompare(b.code))
      .map((e) => ({
        networkId: e.networkId,
        formId: e.formId,
        data: dataOf.get(e.versionId)!,
        exemplar: { code: e.code, mark: this.custody.markFor(e) },
      }));
  }
}

/** Only the fields a form declares, without blanks (different networks' forms name different things). */
function officeSources(office: OfficeEntity, managerName: string | null, creator: CurrentUser): Omit<DraftSources, 'issueDate'> {
  return {
    office: { name: office.name, address: office.address, postalCode: office.postalCode, phone: office.phone },
    manager: { name: managerName },
    user: { name: creator.name },
  };
}
