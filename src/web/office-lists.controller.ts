import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { BatchesService } from '../batches/batches.service';
import { CUSTODY_EVENT_LABELS, CustodyEventType } from '../custody/custody.types';
import { DocumentsService, isRetired } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { DocumentFilterDto, PageOnlyDto } from './dto/office-lists.dto';
import { STATUS_LABELS } from './office.controller';
import { checkQuery, messagesByField, pagingOf } from './query-filter';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';
import { MAX_LIST_PAGE_SIZE } from '../common/validation/paging';

const PAGE_SIZE = 30;

const MODE_LABELS: Record<string, string> = { print: '印刷（紙で署名）', esign: '電子署名（メールで依頼）' };
const KIND_LABELS: Record<string, string> = { new: '新しい従事者の追加', update: '名簿全体（追加・変更・削除）' };
const BATCH_STATUS_LABELS: Record<string, string> = { queued: '処理待ち', running: '処理中', done: '完了', failed: '失敗' };

/** The office's lists: every document (search, filters, paging) with the originals the 事務局 still awaits, and its batches. */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('office')
export class OfficeListsController {
  constructor(
    private readonly views: WebViews,
    private readonly documents: DocumentsService,
    private readonly people: PeopleService,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
    private readonly batches: BatchesService,
  ) {}

  @Get('documents')
  @PageName('書類の一覧')
  async documentList(@User() user: CurrentUser, @Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const office = await this.offices.get(user.officeId!);
    const forms = this.networks.getNetwork(office.networkId).forms;
    const { values, input, errors } = checkQuery(DocumentFilterDto, query, { from: 'from', to: 'to' });
    if (values.form && !forms.some((f) => f.id === values.form)) {
      errors.push({ path: 'form', label: '様式', message: 'この様式はありません' });
      delete values.form;
    }
    if (values.status && !(values.status in STATUS_LABELS)) {
      errors.push({ path: 'status', label: '状態', message: 'この状態はありません' });
      delete values.status;
    }
    const text = values.q ? await this.matching(user.officeId!, values.q, forms) : undefined;
    const filter = {
      status: values.status,
      form: values.form,
      from: values.from ? new Date(`${values.from}T00:00:00+09:00`) : undefined,
      to: values.to ? new Date(new Date(`${values.to}T00:00:00+09:00`).getTime() + 86_400_000) : undefined,
      text,
    };
    const requested = Number(values.page ?? 1);
    let result = await this.documents.search(user, filter, { offset: (requested - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const shown = { q: values.q, form: values.form, status: values.status, from: values.from, to: values.to };
    const paging = pagingOf(requested, result.total, PAGE_SIZE, shown, '/office/documents');
    if (paging.page !== requested) result = await this.documents.search(user, filter, { offset: paging.offset, limit: PAGE_SIZE });
    const subjects = await this.subjectNames(user.officeId!);
    this.views.send(reply, errors.length ? 400 : 200, 'office-documents', {
      title: '書類の一覧',
      input,
      errors,
      error: messagesByField(errors),
      filtered: Object.values(shown).some(Boolean),
      forms: forms.map((f) => ({ value: f.id, label: `${f.number} ${f.title}`, selected: f.id === input.form })),
      statuses: Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label, selected: value === input.status })),
      paging,
      documents: result.documents.map((d) => ({
        ...d,
        statusLabel: STATUS_LABELS[d.status],
        subjectName: d.subjectId ? (subjects.get(d.subjectId) ?? '') : office.name,
      })),
      owedOriginals: await this.owedOriginals(user, subjects, office.name),
    });
  }

  @Get('batches')
  @PageName('名簿の取り込みの一覧')
  async batchHistory(@User() user: CurrentUser, @Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { values, errors } = checkQuery(PageOnlyDto, query);
    const requested = Number(values.page ?? 1);
    let result = await this.batches.history(user, { offset: (requested - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const paging = pagingOf(requested, result.total, PAGE_SIZE, {}, '/office/batches');
    if (paging.page !== requested) result = await this.batches.history(user, { offset: paging.offset, limit: PAGE_SIZE });
    this.views.send(reply, errors.length ? 400 : 200, 'batches', {
      title: '一括処理の履歴',
      errors,
      isManager: user.role === 'office_manager',
      paging,
      batches: result.batches.map(({ batch, counts }) => ({
        ...batch,
        counts,
        statusLabel: BATCH_STATUS_LABELS[batch.status] ?? batch.status,
        modeLabel: MODE_LABELS[batch.mode] ?? batch.mode,
        kindLabel: KIND_LABELS[batch.kind] ?? batch.kind,
        noticeCount: batch.notices.length,
      })),
    });
  }

  /** What a search word matches: people of the office by name or ふりがな, forms by number or title, any document number. */
  private async matching(officeId: string, q: string, forms: Array<{ id: string; number: string; title: string }>) {
    const words = q.toLowerCase();
    const has = (text: string | null | undefined) => Boolean(text && text.toLowerCase().includes(words));
    const [staff, patients] = await Promise.all([this.people.listStaff(officeId, true), this.people.listPatients(officeId)]);
    return {
      number: q,
      subjectIds: [...staff, ...patients].filter((p) => has(p.name) || has(p.nameKana)).map((p) => p.id),
      formIds: forms.filter((f) => has(f.title) || has(f.number)).map((f) => f.id),
    };
  }

  private async subjectNames(officeId: string): Promise<Map<string, string>> {
    const [staff, patients] = await Promise.all([this.people.listStaff(officeId, true), this.people.listPatients(officeId)]);
    return new Map([...staff, ...patients].map((p) => [p.id, p.name]));
  }

  /**
   * Originals the custody rule sends to the 事務局 that its ledger does not show received: not yet mailed, or on their way.
   * (The last 500 documents; a document out of use owes nothing.)
   */
  private async owedOriginals(user: CurrentUser, subjects: Map<string, string>, officeName: string) {
    const { documents: docs } = await this.documents.list(user, {}, { limit: MAX_LIST_PAGE_SIZE, offset: 0 });
    return docs
      .filter((d) => !isRetired(d.status))
      .flatMap((d) =>
        d.exemplars
          .filter((e) => e.kind === 'original' && e.holder === 'secretariat' && !['received', 'destroyed'].includes(e.state))
          .map((e) => ({
            documentId: d.id,
            number: d.number,
            code: e.code,
            form: `${d.formNumber} ${d.formTitle}`,
            subjectName: d.subjectId ? (subjects.get(d.subjectId) ?? '') : officeName,
            mailed: e.state === 'mailed',
            stateLabel:
              e.state === 'mailed'
                ? '郵送済み（事務局の受領待ち）'
                : `未郵送（${CUSTODY_EVENT_LABELS[e.state as CustodyEventType] ?? e.state}）`,
          })),
      );
  }
}
