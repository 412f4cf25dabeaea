import { isUuid } from '../common/validation';
import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { RequestOrigin } from '../common/request-origin';
import { FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { todayInJapan } from '../common/japan-date';
import { Origin } from '../common/request-origin';
import { CELL_LABELS } from '../dashboards/secretariat-dashboard.service';
import { OfficeDashboardService } from '../dashboards/office-dashboard.service';
import { DocumentDraftsService } from '../documents/document-drafts.service';
import { DocumentsService } from '../documents/documents.service';
import { DOCUMENT_STATUS_LABELS } from '../documents/documents.types';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { RetentionService } from '../rights/retention.service';
import { RightsRequestsService } from '../rights/rights-requests.service';
import { RIGHTS_KIND_LABELS } from '../rights/rights.types';
import { SigningOverviewService } from '../signing/signing-overview.service';
import { RegistrationsService } from '../registrations/registrations.service';
import { TrainingService } from '../training/training.service';
import { lineView } from './registration-lines.view';
import { NewDocumentQueryDto } from './dto/new-document-query.dto';
import { OfficeDocumentFormDto } from './dto/office-document-form.dto';
import { buildFormModel } from './form-model';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

export const SIGNING_LABELS: Record<string, string> = {
  open: '署名待ち',
  completed: '完了',
  declined: '辞退',
  expired: '期限切れ',
  cancelled: '取消',
};

/** An issued document whose latest signing request was declined: not simply 発行済. */
export const SIGNING_DECLINED = '署名辞退';

/** Document statuses as the pages show them (the documents feature's words). */
export const STATUS_LABELS: Record<string, string> = DOCUMENT_STATUS_LABELS;

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
  @PageName('事業所')
  async office(
    @User() user: CurrentUser,
    @Query('message') message: string | undefined,
    @Query('draft') draft: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const board = await this.dashboard.forOffice(user);
    const network = this.networks.getNetwork(board.office.networkId);
    const rule = this.training.ruleOf(network.id);
    const trained = rule ? await this.training.latestOf([board.office.id]) : new Map();
    this.views.send(reply, 200, 'office', {
      title: board.office.name,
      message: typeof message === 'string' ? message.slice(0, 500) : null,
      // The staff-change draft a message speaks of: a link to review and issue it (an id, nothing else).
      draft: typeof draft === 'string' && isUuid(draft) ? draft : null,
      isManager: user.role === 'office_manager',
      // The office's latest 100 lines, newest first (counted and cut in the database).
      lines: (await this.registrations.page(user, undefined, { limit: 100, offset: 0 }, 'newest')).lines.map(lineView),
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
  @PageName('書類の作成')
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
  @PageName('書類の作成')
  @ShowFormOnError('documentFormAgain')
  async create(
    @User() user: CurrentUser,
    @Body() body: OfficeDocumentFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { _form: formId, _subject: subjectId, ...data } = body;
    const draft = await this.documents.create(user, { form: formId, subjectId: subjectId || null, data }, origin);
    await this.documents.issue(user, draft.id, origin);
    reply.redirect(`/documents/${draft.id}`, 303);
  }

  /** The form again; a post that names none of the network's forms (a tampered or broken one) gets the error page. */
  async documentFormAgain({ request, reply, values, errors, status, error }: FormAgain): Promise<void> {
    const { _form: formId, _subject: subjectId, ...data } = values;
    const network = this.networks.getNetwork(await this.drafts.networkOf(request.user!));
    if (!network.forms.some((f) => f.id === formId)) throw error;
    await this.showForm(reply, status, request.user!, String(formId), typeof subjectId === 'string' ? subjectId : '', data, errors);
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
    errors: FieldError[],
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
