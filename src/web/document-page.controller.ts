import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, User } from '../common/auth/current-user';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin, originOf } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { CUSTODY_EVENT_LABELS, CustodyEventType, SHEET_LABELS, custodyEventLabel } from '../custody/custody.types';
import { DocumentsService, isRetired } from '../documents/documents.service';
import { DocumentDraftsService } from '../documents/document-drafts.service';
import { HOLDER_LABELS } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { rowsFromSource } from '../networks/prefill';
import { PeopleService } from '../people/people.service';
import { ConsentWithdrawalService } from '../rights/consent-withdrawal.service';
import { SigningService } from '../signing/signing.service';
import { CustodyEventFormDto } from './dto/custody-event-form.dto';
import { SigningRequestFormDto, namedRows } from './dto/signing-request-form.dto';
import { SIGNING_DECLINED, SIGNING_LABELS, STATUS_LABELS } from './office.controller';
import { PREFILL_SOURCES, signerPrefill } from './signer-defaults';
import { SigningFormState, errorsOnFormRows, formWideErrors, signingFormRoles } from './signing-request-form.view';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

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
    private readonly drafts: DocumentDraftsService,
  ) {}

  @Get('documents/:id')
  @PageName('書類')
  async show(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Query('message') message: string | undefined,
    @Query('error') error: string | undefined,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // A refusal sent back here (?error=, e.g. a resend out of turn) is shown as an error, a done step as news.
    const notice =
      typeof error === 'string' && error
        ? { text: error.slice(0, 500), error: true }
        : typeof message === 'string' && message
          ? { text: message.slice(0, 500), error: false }
          : undefined;
    await this.page(reply, 200, user, id, origin, notice, null);
  }

  private async page(
    reply: FastifyReply,
    status: number,
    user: CurrentUser,
    id: string,
    origin: RequestOrigin,
    notice: { text: string; error: boolean } | undefined,
    signingForm: SigningFormState | null,
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
        // The state as its last event reads (a sheet e-mailed by the service: メールで送付).
        stateLabel:
          events.length && events[events.length - 1].type === e.state
            ? custodyEventLabel(events[events.length - 1])
            : (CUSTODY_EVENT_LABELS[e.state as CustodyEventType] ?? e.state),
        kindLabel: e.kind === 'original' ? '原本' : '写し',
        sheetLabel: SHEET_LABELS[e.sheet],
        holderLabel: HOLDER_LABELS[e.holder],
        chain,
        events: events.map((ev) => ({ ...ev, label: custodyEventLabel(ev) })),
        next: next.map((type) => ({ type, label: `${CUSTODY_EVENT_LABELS[type]}を記録` })),
      };
    });
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    const requests = office && form.signed ? await this.signing.forDocument(user, doc.id, origin) : [];
    const open = requests.find((r) => r.status === 'open');
    const awaitingSeal = requests.some((r) => r.status === 'completed' && !r.sealedSha256);
    const declined = requests[0]?.status === 'declined' ? requests[0] : null; // the latest request, declined
    const canRequest = office && form.signed && doc.status === 'issued' && !open && !awaitingSeal;
    const prefill =
      canRequest && !signingForm
        ? await signerPrefill(this.people, form.signers, doc, await this.drafts.managerOf(doc.officeId, user))
        : [];
    this.views.send(reply, status, 'document', {
      title: `${doc.formTitle} ${doc.number}`,
      signing:
        office && form.signed
          ? {
              canRequest,
              prefilledFrom: PREFILL_SOURCES[form.subject],
              roles: signingFormRoles(form.signers, prefill, signingForm),
              ordered: signingForm?.ordered ?? false,
              formErrors: formWideErrors(signingForm),
              declined: declined && { signers: declined.signers.filter((s) => s.status === 'declined') },
              requests: requests.map((r) => ({
                ...r,
                statusLabel: SIGNING_LABELS[r.status],
                open: r.status === 'open',
                // 訪問に持ち出す: signers still to sign in person can sign on the office's tablet offline (/visit).
                takeable:
                  r.status === 'open' &&
                  doc.status === 'issued' &&
                  r.signers.some((s) => s.method === 'in_person' && s.status === 'pending'),
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
      notice,
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

  /** The named rows only (the DTO drops the blank ones); a blank 方法 is the form's 「自動」. */
  @Post('documents/:id/signing')
  @PageName('署名の依頼')
  @ShowFormOnError('signingFormAgain')
  async requestSignatures(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: SigningRequestFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const signers = (body.signers ?? []).map((s) => ({ ...s, method: s.method || (s.email?.trim() ? 'email' : 'in_person') }) as const);
    await this.signing.create(user, id, { signers, ordered: Boolean(body.ordered) }, origin);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('署名を依頼しました')}`, 303);
  }

  /**
   * The signing form again, every row as typed: the 暗証番号 too, which the office chose for the family and
   * would otherwise have to type again (this page is not stored: no-store). The errors name the named rows
   * (the DTO and the service see no blank row); they are shown in the form's own rows.
   */
  async signingFormAgain(form: FormAgain): Promise<void> {
    const posted = (form.request.body ?? {}) as Record<string, unknown>;
    const rows = (Array.isArray(posted.signers) ? posted.signers : Object.values((posted.signers as object) ?? {})).map((row) =>
      textFields(row, ['role', 'name', 'relation', 'method', 'email', 'accessCode']),
    );
    const errors = form.errors.map((e) => (e.path === '_' ? { ...e, path: 'signers', label: '署名者' } : e));
    const signingForm = { rows, ordered: Boolean(posted.ordered), errors: errorsOnFormRows(errors, namedRows(posted.signers)) };
    const failed = { text: '署名を依頼できませんでした。各欄の表示を確かめてください', error: true };
    await this.page(form.reply, form.status, form.request.user!, form.params.id, originOf(form.request), failed, signingForm);
  }

  @Post('documents/:id/issue')
  @PageName('書類の発行')
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
  @PageName('書類の取り下げ')
  async withdraw(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    await this.withdrawals.withdrawDocument(user, id, origin);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('取り下げました。署名のリンクは使えなくなりました')}`, 303);
  }

  @Post('documents/:id/paper-signature')
  @PageName('署名済みの原本')
  async signed(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.documents.recordPaperSignature(user, id, origin);
    reply.redirect(`/documents/${id}?message=${encodeURIComponent('署名済みとして記録しました')}`, 303);
  }

  /**
   * An exemplar's PDF as the pages link it: the API's answer, but through a page's route, so an ended session
   * leads to the log-in page and back here, and a wrong number is a Japanese page (the API answers JSON).
   */
  @Get('exemplars/:code/pdf')
  @PageName('書類のPDF')
  async pdf(@User() user: CurrentUser, @Param('code') code: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const { exemplar, pdf } = await this.documents.exemplarPdf(user, code, origin);
    reply
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename="${exemplar.code}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  }

  @Post('documents/:id/exemplars/:code/events')
  @PageName('原本・写しの記録')
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

/** A posted row's text fields (anything else, e.g. an object where text belongs, as blank). */
function textFields<K extends string>(row: unknown, keys: K[]): Record<K, string> {
  const fields = row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {};
  return Object.fromEntries(keys.map((key) => [key, typeof fields[key] === 'string' ? fields[key] : ''])) as Record<K, string>;
}
