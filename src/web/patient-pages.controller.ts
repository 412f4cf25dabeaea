import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, originOf, RequestOrigin } from '../common/request-origin';
import { DocumentDraftsService } from '../documents/document-drafts.service';
import { NetworksService } from '../networks/networks.service';
import { ConsentWithdrawalService } from '../rights/consent-withdrawal.service';
import { PatientErasureService } from '../rights/patient-erasure.service';
import { PatientExportService } from '../rights/patient-export.service';
import { PatientRecordService } from '../rights/patient-record.service';
import { RightsRequestsService } from '../rights/rights-requests.service';
import { RIGHTS_KIND_LABELS } from '../rights/rights.types';
import {
  ErasureFormDto,
  LegalHoldFormDto,
  RightsAnswerFormDto,
  RightsRequestFormDto,
  WithdrawalFormDto,
} from './dto/patient-rights-forms.dto';
import { FormProblem, patientPageModel } from './patient-page.view';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/**
 * A patient's page for their office: details and family, documents with their status (撤回 shown), the
 * withdrawal of a consent, rights requests with due dates and answers, the disclosure ZIP, legal hold and
 * the confirmed erasure. Thin: each form calls the same service as the API.
 */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('office/patients/:id')
export class PatientPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly records: PatientRecordService,
    private readonly withdrawals: ConsentWithdrawalService,
    private readonly requests: RightsRequestsService,
    private readonly exports: PatientExportService,
    private readonly erasure: PatientErasureService,
    private readonly drafts: DocumentDraftsService,
    private readonly networks: NetworksService,
  ) {}

  @Get()
  @PageName('患者')
  async page(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Query('message') message: string | undefined,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const record = await this.records.record(user, id, origin);
    this.views.send(reply, 200, 'patient', { ...patientPageModel(record, user, undefined, message), patientForms: await this.forms(user) });
  }

  @Post('withdrawals')
  @PageName('同意の撤回')
  @ShowFormOnError('withdrawalAgain')
  async withdraw(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: WithdrawalFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.withdrawals.record(user, body.documentId, body, origin);
    this.done(reply, id, '同意の撤回を記録しました。撤回受付票を封緘して、双方にお渡しします');
  }

  @Post('rights-requests')
  @PageName('本人からの請求')
  @ShowFormOnError('requestAgain')
  async request(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RightsRequestFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const saved = await this.requests.record(user, id, body, origin);
    this.done(reply, id, `${RIGHTS_KIND_LABELS[saved.kind]}の請求を記録しました`);
  }

  @Post('rights-requests/:requestId/answer')
  @PageName('請求への回答')
  @ShowFormOnError('answerAgain')
  async answer(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Body() body: RightsAnswerFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answered = await this.requests.answer(user, requestId, body, origin);
    this.done(
      reply,
      id,
      `${RIGHTS_KIND_LABELS[answered.kind]}の請求に回答しました（${answered.status === 'refused' ? '拒否' : '回答済み'}）`,
    );
  }

  /** The disclosure ZIP; while its PDFs are being printed, a page that tries again by itself. */
  @Get('export')
  @PageName('開示資料')
  async export(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    try {
      const { filename, zip } = await this.exports.export(user, id, origin);
      reply
        .type('application/zip')
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .header('Cache-Control', 'private, no-store')
        .send(zip);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'PDF_NOT_READY') throw error;
      this.views.send(reply, 202, 'export-preparing', { title: '開示資料を準備しています', patientId: id, message: error.message });
    }
  }

  @Post('erasure')
  @PageName('患者の情報の消去')
  @ShowFormOnError('erasureAgain')
  async erase(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: ErasureFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (body.confirmed !== 'on') throw invalid('confirmed', '確認', '元に戻せないことを確認して、チェックを入れてください');
    const done = await this.erasure.erasePatient(
      user,
      id,
      { rightsRequestId: body.rightsRequestId, confirmName: body.confirmName ?? '' },
      origin,
    );
    this.done(reply, id, `患者の情報を消去しました（書類${done.documentNumbers.length}件）。消去の請求には回答済みです`);
  }

  @Post('legal-hold')
  @PageName('法的保存')
  @ShowFormOnError('holdAgain')
  async hold(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: LegalHoldFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.erasure.placeHold(user, id, body, origin);
    this.done(reply, id, '法的保存を設定しました。解除するまで消去できません');
  }

  @Post('legal-hold/release')
  @PageName('法的保存の解除')
  @ShowFormOnError('holdAgain')
  async release(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    await this.erasure.releaseHold(user, id, origin);
    this.done(reply, id, '法的保存を解除しました');
  }

  // The page again with the refused form's values and messages (each form of the page is named in the view).
  withdrawalAgain(form: FormAgain): Promise<void> {
    return this.pageAgain(`withdrawal-${String(form.values.documentId)}`, form);
  }

  requestAgain(form: FormAgain): Promise<void> {
    return this.pageAgain('request', form);
  }

  answerAgain(form: FormAgain): Promise<void> {
    return this.pageAgain(`answer-${form.params.requestId}`, form);
  }

  erasureAgain(form: FormAgain): Promise<void> {
    return this.pageAgain('erasure', form);
  }

  holdAgain(form: FormAgain): Promise<void> {
    return this.pageAgain('hold', form);
  }

  /** The network's forms about a patient (the consent…): each starts a document prefilled from the patient and family. */
  private async forms(user: CurrentUser) {
    const network = this.networks.getNetwork(await this.drafts.networkOf(user));
    return network.forms.filter((f) => f.subject === 'patient').map((f) => ({ id: f.id, label: `${f.number} ${f.title}` }));
  }

  /** Back to the patient's page with what was done. */
  private done(reply: FastifyReply, id: string, message: string): void {
    reply.redirect(`/office/patients/${id}?message=${encodeURIComponent(message)}`, 303);
  }

  /** The patient's page again, the refused form showing its values, messages beside its fields or above it. */
  private async pageAgain(form: string, { request, reply, params, values, errors, status, message }: FormAgain): Promise<void> {
    const user = request.user!;
    const problem: FormProblem = { form, values, errors: errors.filter((e) => e.path !== '_'), message };
    const record = await this.records.record(user, params.id, originOf(request));
    const model = { ...patientPageModel(record, user, problem), patientForms: await this.forms(user) };
    this.views.send(reply, status, 'patient', model);
  }
}

function invalid(path: string, label: string, message: string): DomainError {
  return new DomainError('INVALID_REQUEST', message, { errors: [{ path, label, message }] });
}
