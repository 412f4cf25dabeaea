import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../accounts/current-user';
import { RequestOrigin } from '../common/request-origin';
import { DomainError, InvalidFormDataError } from '../common/errors/domain-error';
import { todayInJapan } from '../common/japan-date';
import { Origin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { CUSTODY_EVENT_LABELS, CustodyEventType, SHEET_LABELS } from '../custody/custody.types';
import { CELL_LABELS } from '../dashboards/secretariat-dashboard.service';
import { OfficeDashboardService } from '../dashboards/office-dashboard.service';
import { DocumentDraftsService } from '../documents/document-drafts.service';
import { DocumentsService, isRetired } from '../documents/documents.service';
import { ConsentWithdrawalService } from '../rights/consent-withdrawal.service';
import { HOLDER_LABELS } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { rowsFromSource } from '../networks/prefill';
import { PeopleService } from '../people/people.service';
import { RetentionService } from '../rights/retention.service';
import { RightsRequestsService } from '../rights/rights-requests.service';
import { RIGHTS_KIND_LABELS } from '../rights/rights.types';
import { SigningOverviewService } from '../signing/signing-overview.service';
import { SigningService } from '../signing/signing.service';
import { RegistrationsService } from '../registrations/registrations.service';
import { TrainingService } from '../training/training.service';
import { lineView } from './registration-lines.view';
import { CustodyEventFormDto } from './dto/custody-event-form.dto';
import { NewDocumentQueryDto } from './dto/new-document-query.dto';
import { OfficeDocumentFormDto } from './dto/office-document-form.dto';
import { SigningRequestFormDto } from './dto/signing-request-form.dto';
import { buildFormModel } from './form-model';
import { signerPrefill } from './signer-defaults';
import { WebViews } from './web.views';

export const SIGNING_LABELS: Record<string, string> = {
  open: '署名待ち',
  completed: '完了',
  declined: '辞退',
  expired: '期限切れ',
  cancelled: '取消',
};

/** An issued document whose latest signing request was declined: not simply 発行済. */
export const SIGNING_DECLINED = '署名辞退';

export const STATUS_LABELS: Record<string, string> = {
  draft: '下書き',
  issued: '発行済',
  signed: '署名済',
  declined: '辞退',
  expired: '期限切れ',
  withdrawn: '取り下げ',
  revoked: '撤回',
  erased: '消去済み',
};

/** The office's pages: what it owes the 事務局, its documents and copies, and creating a document. */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller()
export class OfficeController {
  constructor(
    private readonly views: WebViews,
    private readonly dashboard: OfficeDashboardService,
    private readonly documents: DocumentsService,
    private readonly drafts: DocumentDraftsService,
    private readonly people: PeopleService,
    private readonly networks: NetworksService,
    private readonly registrations: RegistrationsService,
    private readonly training: TrainingService,
    private readonly rights: RightsRequestsService,
    private readonly retention: RetentionService,
    private readonly signingOverview: SigningOverviewService,
  ) {}

  @Get('office')
  async office(@User() user: CurrentUser, @Query('message') message: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const board = await this.dashboard.forOffice(user);
    const network = this.networks.getNetwork(board.office.networkId);
    const rule = this.training.ruleOf(network.id);
    const trained = rule ? await this.training.latestOf([board.office.id]) : new Map();
    this.views.send(reply, 200, 'office', {
      title: board.office.name,
      message: typeof message === 'string' ? message.slice(0, 500) : null,
      isManager: user.role === 'office_manager',
      lines: (await this.registrations.list(user)).reverse().slice(0, 100).map(lineView),
      training: rule ? { kinds: rule.kinds, basis: rule.basis ?? null, today: todayInJapan() } : null,
      board,
      owed: board.owed.map((r) => ({ ...r, statusLabel: CELL_LABELS[r.status] })),
      documents: await this.withSigningState(board.documents),
      staff: (await this.people.listStaff(user.officeId!)).map((s) => ({ ...s, training: trained.get(s.id) ?? null })),
      patients: await this.people.listPatients(user.officeId!),
      ...(await this.rightsBoard(user)),
      officeForms: network.forms.filter((f) => f.subject === 'office' || f.subject === 'none'),
      staffForms: network.forms.filter((f) => f.subject === 'staff'),
      patientForms: network.forms.filter((f) => f.subject === 'patient'),
    });
  }

  @Get('office/documents/new')
  async newDocument(
    @User() user: CurrentUser,
    @Query() query: NewDocumentQueryDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const values = await this.drafts.draftData(user, query.form, query.subject || null, origin);
    await this.showForm(reply, 200, user, query.form, query.subject ?? '', values, []);
  }

  /** Creates the document and issues it at once: its originals and copies are printed for the office. */
  @Post('office/documents')
  async create(
    @User() user: CurrentUser,
    @Body() body: OfficeDocumentFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { _form: formId, _subject: subjectId, ...data } = body;
    try {
      const draft = await this.documents.create(user, { form: formId, subjectId: subjectId || null, data }, origin);
      await this.documents.issue(user, draft.id, origin);
      reply.redirect(`/documents/${draft.id}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidFormDataError)) throw error;
      await this.showForm(reply, 400, user, formId, subjectId ?? '', data, error.errors);
    }
  }

  /** Each document's state label; an issued one whose latest signing request was declined says so. */
  private async withSigningState<T extends { id: string; status: string }>(documents: T[]): Promise<Array<T & { statusLabel: string }>> {
    const declined = await this.signingOverview.declinedAmong(documents.filter((d) => d.status === 'issued').map((d) => d.id));
    return documents.map((d) => ({ ...d, statusLabel: declined.has(d.id) ? SIGNING_DECLINED : STATUS_LABELS[d.status] }));
  }

  /** Open rights requests (overdue ones first and marked) and how many documents are past retention. */
  private async rightsBoard(user: CurrentUser) {
    const open = await this.rights.list(user, { status: 'open' });
    const requests = [...open.filter((r) => r.overdue), ...open.filter((r) => !r.overdue)].map((r) => ({
      ...r,
      kindLabel: RIGHTS_KIND_LABELS[r.kind],
    }));
    return {
      rightsRequests: requests,
      overdueRequests: open.filter((r) => r.overdue).length,
      retentionDue: (await this.retention.listed(user.officeId!)).length,
    };
  }

  private async showForm(
    reply: FastifyReply,
    status: number,
    user: CurrentUser,
    formId: string,
    subjectId: string,
    values: Record<string, unknown>,
    errors: InvalidFormDataError['errors'],
  ): Promise<void> {
    const { network, form } = this.networks.getForm(await this.drafts.networkOf(user), formId);
    this.views.send(reply, status, 'form', {
      title: form.title,
      network,
      form,
      custody: null,
      action: '/office/documents',
      hidden: [
        { name: '_form', value: form.id },
        { name: '_subject', value: subjectId },
      ],
      submitLabel: '作成して発行',
      inputs: buildFormModel(form.fields, values, errors),
      errors: errors.map((e) => ({ ...e, anchor: e.path.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-') })),
    });
  }
}

/** A document's page: its exemplars (原本/写し), their PDFs and custody history, and what to record next. */
@ApiExcludeController()
@Controller()
export class DocumentPageController {
  constructor(
    private readonly views: WebViews,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly signing: SigningService,
    private readonly networks: NetworksService,
    private readonly withdrawals: ConsentWithdrawalService,
    private readonly people: PeopleService,
  ) {}

  @Get('documents/:id')
  async show(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Query('message') message: string | undefined,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const doc = await this.documents.get(user, id, origin);
    const office = user.role === 'office_manager' || user.role === 'office_staff';
    const ledgers = await this.custody.ledgers(doc.exemplars.map((e) => e.id));
    const exemplars = doc.exemplars.map((e) => {
      const { events, chain } = ledgers.get(e.id)!;
      const travelling = e.kind === 'original' && e.holder === 'secretariat';
      const next: CustodyEventType[] = [];
      // A document out of use is not handed on, except its 撤回受付票, which exists because it is.
      if (office && e.state !== 'destroyed' && (e.sheet === 'withdrawal-receipt' || !isRetired(doc.status))) {
        if (travelling && !['mailed', 'received'].includes(e.state)) next.push('mailed');
        if (e.holder === 'patient' && e.state !== 'handed_to_family') next.push('handed_to_family');
      }
      return {
        ...e,
        ready: e.pdfSha256 !== null,
        stateLabel: CUSTODY_EVENT_LABELS[e.state as CustodyEventType] ?? e.state,
        kindLabel: e.kind === 'original' ? '原本' : '写し',
        sheetLabel: SHEET_LABELS[e.sheet],
        holderLabel: HOLDER_LABELS[e.holder],
        chain,
        events: events.map((ev) => ({ ...ev, label: CUSTODY_EVENT_LABELS[ev.type] })),
        next: next.map((type) => ({ type, label: `${CUSTODY_EVENT_LABELS[type]}を記録` })),
      };
    });
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    const requests = office && form.signed ? await this.signing.forDocument(user, doc.id, origin) : [];
    const open = requests.find((r) => r.status === 'open');
    const awaitingSeal = requests.some((r) => r.status === 'completed' && !r.sealedSha256);
    const declined = requests[0]?.status === 'declined' ? requests[0] : null; // the latest request, declined
    const canRequest = office && form.signed && doc.status === 'issued' && !open && !awaitingSeal;
    const prefill = canRequest ? await signerPrefill(this.people, form.signers, doc) : [];
    this.views.send(reply, 200, 'document', {
      title: `${doc.formTitle} ${doc.number}`,
      signing:
        office && form.signed
          ? {
              canRequest,
              roles: form.signers.map((role, i) => ({ ...role, prefill: prefill[i] })),
              declined: declined && { signers: declined.signers.filter((s) => s.status === 'declined') },
              requests: requests.map((r) => ({
                ...r,
                statusLabel: SIGNING_LABELS[r.status],
                open: r.status === 'open',
                awaitingSeal: r.status === 'completed' && !r.sealedSha256,
                signers: r.signers.map((s) => ({
                  ...s,
                  pending: s.status === 'pending',
                  waiting: r.ordered && r.signers.some((e) => e.position < s.position && e.status !== 'signed'),
                  statusLabel: { pending: '未署名', signed: '署名済', declined: '辞退' }[s.status],
                })),
              })),
            }
          : null,
      doc: { ...doc, statusLabel: declined && doc.status === 'issued' ? SIGNING_DECLINED : STATUS_LABELS[doc.status] },
      exemplars,
      message,
      // A staff-change notice's draft (the day's joiners and leavers), for the office to review before issuing it.
      noticeRows: office && doc.status === 'draft' ? rowsFromSource(form, 'changes', doc.version.data) : [],
      canIssue: office && doc.status === 'draft',
      canWithdraw: office && (doc.status === 'draft' || doc.status === 'issued'),
      consentInUse: office && form.purpose === 'consent' && doc.status === 'signed' && doc.subjectId ? doc.subjectId : null,
      revoked: doc.status === 'revoked',
      canRecordSignature: office && doc.status === 'issued' && !awaitingSeal,
      printing: exemplars.some((e) => !e.ready && e.state !== 'destroyed'),
    });
  }

  @Post('documents/:id/signing')
  async requestSignatures(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: SigningRequestFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Rows left without a name are roles the office does not use this time (e.g. no second family member).
    const signers = (body.signers ?? []).filter((s) => s.name?.trim());
    try {
      await this.signing.create(user, id, { signers, ordered: Boolean(body.ordered) }, origin);
      reply.redirect(`/documents/${id}?message=${encodeURIComponent('署名を依頼しました')}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'INVALID_REQUEST') throw error;
      const errors = (error.details?.errors as Array<{ message: string }> | undefined) ?? [];
      reply.redirect(
        `/documents/${id}?message=${encodeURIComponent(`署名を依頼できません: ${errors.map((e) => e.message).join(' / ') || error.message}`)}`,
        303,
      );
    }
  }

  @Post('documents/:id/issue')
  async issue(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.documents.issue(user, id, origin);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('発行しました。原本と写しを印刷しています')}`, 303);
  }

  /** 取り下げ: the document leaves use before anyone signed it; its signing links stop working. */
  @Post('documents/:id/withdraw')
  async withdraw(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    await this.withdrawals.withdrawDocument(user, id, origin);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('取り下げました。署名のリンクは使えなくなりました')}`, 303);
  }

  @Post('documents/:id/paper-signature')
  async signed(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.documents.recordPaperSignature(user, id, origin);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('署名済みとして記録しました')}`, 303);
  }

  @Post('documents/:id/exemplars/:code/events')
  async event(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('code') code: string,
    @Body() body: CustodyEventFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const recorded = await this.custody.record(user, code, body.type, { origin });
    reply.redirect(`/documents/${id}?message=${encodeURIComponent(recorded.message)}`, 303);
  }
}
