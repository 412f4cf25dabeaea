import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { AuditService } from '../audit/audit.service';
import { DomainError, InvalidFormDataError } from '../common/errors/domain-error';
import { todayInJapan } from '../common/japan-date';
import { NetworksService } from '../networks/networks.service';
import { buildDraft, rowsFromSource, withRowsFromSource } from '../networks/prefill';
import { DocumentDraftsService, officeSources } from './document-drafts.service';
import { DocumentsRepository } from './documents.repository';

/** One person a staff-change notice lists: 新規 (joined) or 削除 (left), with the details the notice asks. */
export interface NoticeChange {
  action: '新規' | '削除';
  name: string;
  nameKana: string | null;
  gender: string | null;
  jobTitle: string | null;
  email: string | null;
}

/** Where the change was written down: the draft sheet (new or today's), or why it could not be. */
export type NoticeDraftOutcome =
  { documentId: string; number: string; formLabel: string; created: boolean; rows: number } | { problem: string; formLabel: string };

/**
 * The office's staff-change notice (るるめ 別紙3, 武蔵村山 様式3…), drafted as its staff join and leave: the
 * day's changes are collected on one draft sheet (today's open draft gets a row; a full or missing one
 * starts a new sheet), for the office to review and issue. Issuing it puts each row on the 事務局's desk,
 * where the line the staff change already made is attached to it rather than doubled (RegistrationsService).
 */
@Injectable()
export class NoticeDraftsService {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly offices: OfficesService,
    private readonly drafts: DocumentDraftsService,
    private readonly networks: NetworksService,
    private readonly audit: AuditService,
  ) {}

  /** Adds the change to today's draft notice, inside the caller's transaction; null when the network has no such form. */
  async addChangeIn(manager: EntityManager, user: CurrentUser, change: NoticeChange): Promise<NoticeDraftOutcome | null> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '事業所の職員だけが使えます');
    const office = await this.offices.get(user.officeId, manager);
    const form = this.networks.getNetwork(office.networkId).forms.find((f) => f.subject === 'office' && f.purpose === 'notice');
    if (!form) return null;
    const formLabel = `${form.number} ${form.title}`;
    const perSheet = form.fields.find((f) => f.type === 'list')?.maxItems ?? Number.MAX_SAFE_INTEGER;
    const today = todayInJapan();
    try {
      const drafts = await this.documents.openDraftsSince(manager, office.id, form.id, new Date(`${today}T00:00:00+09:00`));
      for (const draft of drafts) {
        const version = await this.documents.currentVersion(draft.id, manager);
        const rows = rowsFromSource(form, 'changes', version.data).length;
        const data = rows < perSheet ? withRowsFromSource(form, 'changes', version.data, [{ ...change }]) : null;
        if (!data) continue;
        await this.documents.addVersion(manager, version, this.networks.validate(office.networkId, form.id, data), user.id);
        return { documentId: draft.id, number: draft.number, formLabel, created: false, rows: rows + 1 };
      }
      const managerName = (await this.drafts.managerOf(office.id, user, manager))?.name ?? null;
      const draft = buildDraft(form, { ...officeSources(office, managerName, user), issueDate: today, changes: [change] });
      const data = this.networks.validate(office.networkId, form.id, draft);
      const row = { networkId: office.networkId, officeId: office.id, formId: form.id, createdBy: user.id };
      const { document } = await this.documents.insert(
        manager,
        { ...row, subjectType: 'office', subjectId: null, status: 'draft' },
        { data },
      );
      const detail = { number: document.number, form: form.id };
      await this.audit.record({ action: 'document_created', actor: user, target: { type: 'document', id: document.id }, detail }, manager);
      return { documentId: document.id, number: document.number, formLabel, created: true, rows: 1 };
    } catch (error) {
      if (!(error instanceof InvalidFormDataError)) throw error;
      const missing = error.errors.map((e) => `${e.label}: ${e.message}`).join('、');
      return { problem: `${formLabel}の下書きに載せられませんでした（${missing}）。書類を作成するときに入力してください`, formLabel };
    }
  }
}
