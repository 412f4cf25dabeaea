import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, User } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { Origin, RequestOrigin } from '../common/request-origin';
import { ConsentWithdrawalService } from './consent-withdrawal.service';
import { ConsentWithdrawalDto } from './dto/consent-withdrawal.dto';
import { LegalHoldDto, PatientErasureDto, RetentionErasureDto } from './dto/erasure.dto';
import { AnswerRightsRequestDto, CreateRightsRequestDto, ListRightsRequestsQueryDto, RightsCorrectionDto } from './dto/rights-request.dto';
import { PatientErasureService } from './patient-erasure.service';
import { PatientExportService } from './patient-export.service';
import { RetentionService } from './retention.service';
import { RightsAccessPolicy } from './rights-access.policy';
import { RightsRequestsService } from './rights-requests.service';

/**
 * Consent withdrawal and patients' rights, for the patient's own office. Another office, the 事務局 and an
 * admin get 404 exactly as for a record that does not exist; erasure and legal holds need the office manager.
 */
@ApiTags('rights')
@Controller('api')
export class RightsController {
  constructor(
    private readonly withdrawals: ConsentWithdrawalService,
    private readonly requests: RightsRequestsService,
    private readonly exports: PatientExportService,
    private readonly erasure: PatientErasureService,
    private readonly retention: RetentionService,
    private readonly access: RightsAccessPolicy,
  ) {}

  @Post('documents/:id/consent-withdrawal')
  @ApiOperation({ summary: '同意の撤回: a signed consent becomes revoked; its 撤回受付票 is sealed and given to both parties' })
  withdrawConsent(@User() user: CurrentUser, @Param('id') id: string, @Body() body: ConsentWithdrawalDto, @Origin() origin: RequestOrigin) {
    return this.withdrawals.record(user, id, body, origin);
  }

  @Post('documents/:id/withdraw')
  @ApiOperation({ summary: '取り下げ: a draft or issued document leaves use; its open signing requests are cancelled' })
  withdraw(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.withdrawals.withdrawDocument(user, id, origin);
  }

  @Post('patients/:id/rights-requests')
  @ApiOperation({ summary: 'Record a rights request (開示・訂正・利用停止・消去); due RIGHTS_DUE_DAYS after it was received' })
  createRequest(@User() user: CurrentUser, @Param('id') id: string, @Body() body: CreateRightsRequestDto, @Origin() origin: RequestOrigin) {
    return this.requests.record(user, id, body, origin);
  }

  @Get('patients/:id/rights-requests')
  async patientRequests(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    const patient = await this.access.patient(user, id, origin);
    return this.requests.forPatient(patient.id);
  }

  @Get('rights-requests')
  @ApiOperation({ summary: "The office's rights requests, each with `overdue`" })
  list(@User() user: CurrentUser, @Query() query: ListRightsRequestsQueryDto) {
    return this.requests.list(user, { status: query.status });
  }

  @Get('rights-requests/:id')
  get(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.requests.get(user, id, origin);
  }

  @Post('rights-requests/:id/answer')
  @ApiOperation({
    summary: 'Answer (answered) or refuse (refused, with the reason in note); an erasure is answered by POST patients/{id}/erasure',
  })
  answer(@User() user: CurrentUser, @Param('id') id: string, @Body() body: AnswerRightsRequestDto, @Origin() origin: RequestOrigin) {
    return this.requests.answer(user, id, body, origin);
  }

  @Post('rights-requests/:id/corrections')
  @ApiOperation({ summary: 'A correction request: a new version (or correcting document) of one of the patient’s documents, linked to it' })
  correct(@User() user: CurrentUser, @Param('id') id: string, @Body() body: RightsCorrectionDto, @Origin() origin: RequestOrigin) {
    return this.requests.correct(user, id, body, origin);
  }

  @Get('patients/:id/export')
  @ApiProduces('application/zip')
  @ApiOperation({
    summary: '開示: every document/version PDF, patient.json, access-log.csv, custody histories, index.pdf; 409 while PDFs are printed',
  })
  async export(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const { filename, zip } = await this.exports.export(user, id, origin);
    reply
      .type('application/zip')
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .header('Cache-Control', 'private, no-store')
      .send(zip);
  }

  @Get('patients/:id/export/status')
  @ApiOperation({ summary: 'Whether the export is ready; the PDFs it still lacks are queued for printing' })
  exportStatus(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.exports.prepare(user, id, origin);
  }

  @Post('patients/:id/erasure')
  @ApiOperation({
    summary: '消去 at the patient’s request (office manager): personal data and PDFs go; the custody ledger records `destroyed`',
  })
  erasePatient(@User() user: CurrentUser, @Param('id') id: string, @Body() body: PatientErasureDto, @Origin() origin: RequestOrigin) {
    return this.erasure.erasePatient(user, id, body, origin);
  }

  @Post('patients/:id/legal-hold')
  @ApiOperation({ summary: '法的保存 (office manager): blocks the patient’s erasure until released' })
  hold(@User() user: CurrentUser, @Param('id') id: string, @Body() body: LegalHoldDto, @Origin() origin: RequestOrigin) {
    return this.erasure.placeHold(user, id, body, origin);
  }

  @Delete('patients/:id/legal-hold')
  async release(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    await this.erasure.releaseHold(user, id, origin);
    return { released: true };
  }

  @Get('retention')
  @ApiOperation({ summary: 'What the daily retention check listed as past retention, for the office to confirm its disposal' })
  retained(@User() user: CurrentUser) {
    if (!user.officeId) throw new DomainError('NOT_FOUND', '見つかりません');
    return this.retention.listedFor(user.officeId);
  }

  @Post('retention/erasure')
  @ApiOperation({ summary: 'Confirm the disposal (消去) of listed documents (office manager)' })
  eraseRetained(@User() user: CurrentUser, @Body() body: RetentionErasureDto, @Origin() origin: RequestOrigin) {
    return this.erasure.eraseRetained(user, body.documentIds, origin);
  }
}
