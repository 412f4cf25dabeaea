import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, originOf, RequestOrigin } from '../common/request-origin';
import { DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { PatientErasureService } from '../rights/patient-erasure.service';
import { RetentionService } from '../rights/retention.service';
import { RightsRequestsService } from '../rights/rights-requests.service';
import { RetentionErasureFormDto } from './dto/patient-rights-forms.dto';
import { FormDataDto } from './dto/form-data.dto';
import { buildFormModel } from './form-model';
import { STATUS_LABELS } from './office.controller';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/**
 * A correction made in answer to a request (訂正: the document's form, filled with its current data), and
 * what the daily retention check listed, for the office manager to confirm its disposal.
 */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('office')
export class RightsPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly requests: RightsRequestsService,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
    private readonly retention: RetentionService,
    private readonly erasure: PatientErasureService,
  ) {}

  @Get('rights-requests/:requestId/corrections/:documentId')
  @PageName('書類の訂正')
  async correction(
    @User() user: CurrentUser,
    @Param('requestId') requestId: string,
    @Param('documentId') documentId: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.requests.get(user, requestId, origin);
    const doc = await this.documents.get(user, documentId, origin);
    this.showCorrection(reply, 200, requestId, doc, doc.version.data, []);
  }

  @Post('rights-requests/:requestId/corrections/:documentId')
  @PageName('書類の訂正')
  @ShowFormOnError('correctionAgain')
  async correct(
    @User() user: CurrentUser,
    @Param('requestId') requestId: string,
    @Param('documentId') documentId: string,
    @Body() body: FormDataDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const data = { ...(body as Record<string, unknown>) };
    const corrected = await this.requests.correct(user, requestId, { documentId, data }, origin);
    const message =
      corrected.id === documentId ? '下書きを訂正しました（新しい版）' : '訂正版を作成しました。発行して署名を依頼してください';
    reply.redirect(`/documents/${corrected.id}?message=${encodeURIComponent(message)}`, 303);
  }

  async correctionAgain({ request, reply, params, values, errors, status }: FormAgain): Promise<void> {
    const doc = await this.documents.writable(request.user!, params.documentId, originOf(request));
    this.showCorrection(reply, status, params.requestId, doc, values, errors);
  }

  @Get('retention')
  @PageName('保存期間を過ぎた書類')
  async retained(@User() user: CurrentUser, @Query('message') message: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.showRetention(reply, 200, user, message ? { message, ok: true } : null);
  }

  @Post('retention/erasure')
  @PageName('書類の廃棄')
  @ShowFormOnError('retentionAgain')
  async eraseRetained(
    @User() user: CurrentUser,
    @Body() body: RetentionErasureFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (body.confirmed !== 'on') throw new DomainError('INVALID_REQUEST', '元に戻せないことを確認して、チェックを入れてください');
    const done = await this.erasure.eraseRetained(user, checkedIds(body.documentIds), origin);
    reply.redirect(`/office/retention?message=${encodeURIComponent(`${done.documentNumbers.length}件の書類を廃棄（消去）しました`)}`, 303);
  }

  /** The list again, the boxes still ticked, the refusal above it. */
  async retentionAgain({ request, reply, values, status, message }: FormAgain): Promise<void> {
    await this.showRetention(reply, status, request.user!, { message, ok: false }, checkedIds(values.documentIds));
  }

  private async showRetention(
    reply: FastifyReply,
    status: number,
    user: CurrentUser,
    notice: { message: string; ok: boolean } | null,
    checked: string[] = [],
  ): Promise<void> {
    const items = await this.retention.listedFor(user.officeId!);
    this.views.send(reply, status, 'retention', {
      title: '保存期間を過ぎた書類',
      notice,
      isManager: user.role === 'office_manager',
      items: items.map((i) => ({ ...i, statusLabel: STATUS_LABELS[i.status] ?? i.status, checked: checked.includes(i.documentId) })),
      disposable: items.some((i) => !i.keptBy),
      erasures: (await this.erasure.erasuresOf(user.officeId!)).filter((e) => e.reason === 'retention').slice(0, 20),
    });
  }

  private showCorrection(
    reply: FastifyReply,
    status: number,
    requestId: string,
    doc: { id: string; number: string; networkId: string; formId: string },
    values: Record<string, unknown>,
    errors: FieldError[],
  ): void {
    const { network, form } = this.networks.getForm(doc.networkId, doc.formId);
    this.views.send(reply, status, 'form', {
      title: `${form.title}の訂正（${doc.number}）`,
      network,
      form,
      custody: null,
      action: `/office/rights-requests/${requestId}/corrections/${doc.id}`,
      hidden: [],
      submitLabel: '訂正版を作成',
      inputs: buildFormModel(form.fields, values, errors),
      errors: errors.map((e) => ({ ...e, anchor: e.path.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-') })),
    });
  }
}

/** The ticked documents' ids, as the list's checkboxes send them (one, several or none). */
function checkedIds(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((id): id is string => typeof id === 'string' && id !== '');
}
