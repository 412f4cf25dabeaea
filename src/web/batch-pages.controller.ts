import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { Upload, UploadedFile } from '../common/uploads';
import { batchOptions } from '../batches/batch-options';
import { BatchesService, MANAGERS_ONLY } from '../batches/batches.service';
import { BatchUploadDto } from '../batches/dto/batch-upload.dto';
import { BatchConfirmFormDto } from './dto/batch-confirm-form.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

const PHASES: Record<string, string> = {
  queued: '処理待ち（順番に処理します）',
  people: '従事者と誓約書を作成中',
  esign: '署名依頼を送信中',
  print: 'PDFを作成中',
  done: '完了',
};

/**
 * What the progress figures count, phase by phase (each phase counts its own things: people, mails, parts of the PDF);
 * public/batch.js says the same while the page polls.
 */
export function progressText(phase: string, done: number, total: number): string {
  if (phase === 'people') return `従事者 ${total}名中 ${done}名を処理済み`;
  if (phase === 'esign') return `署名依頼のメール ${total}通中 ${done}通を送信済み`;
  if (phase === 'print') return `印刷用PDF ${total}区分中 ${done}区分を作成済み`;
  if (phase === 'queued') return `${total}名分を処理待ち`;
  return '';
}

/** Bulk pledges for new staff: upload the roster, see every row's problems, confirm, watch it run. */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('office/batches')
export class BatchPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly batches: BatchesService,
  ) {}

  @Get('new')
  @PageName('名簿の取り込み')
  upload(@User() user: CurrentUser, @Res() reply: FastifyReply): void {
    // Staff get the reason, as a page (the same check guards the preview and the batch in BatchesService).
    if (user.role !== 'office_manager') throw new DomainError('FORBIDDEN', MANAGERS_ONLY);
    this.views.send(reply, 200, 'batch-new', { title: '名簿の取り込み' });
  }

  @Post('preview')
  @PageName('名簿の取り込み')
  @ShowFormOnError('uploadAgain')
  async preview(
    @User() user: CurrentUser,
    @Upload('file') file: UploadedFile | undefined,
    @Body() body: BatchUploadDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const options = batchOptions(body);
    const preview = await this.batches.preview(user, file?.buffer, file?.filename ?? '', options.kind);
    this.views.send(reply, 200, 'batch-preview', {
      title: '名簿の確認',
      preview,
      options,
      filename: file?.filename,
      // The confirmed file travels back with the confirmation, so nothing is stored before the office confirms.
      fileData: file!.buffer.toString('base64'),
      invalidRows: preview.rows.filter((r) => r.problems.length > 0),
    });
  }

  /** The upload form again, with why the roster cannot be read (no file, not a roster, no rows…). */
  uploadAgain({ reply, status, errors }: FormAgain): void {
    this.views.send(reply, status, 'batch-new', { title: '名簿の取り込み', error: errors.map((e) => e.message).join(' / ') });
  }

  @Post()
  @PageName('名簿の取り込み')
  async create(
    @User() user: CurrentUser,
    @Body() body: BatchConfirmFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = Buffer.from(body.fileData, 'base64');
    const batch = await this.batches.create(user, file, body.filename || 'roster', batchOptions(body), origin);
    reply.redirect(`/office/batches/${batch.id}`, 303);
  }

  @Get(':id')
  @PageName('名簿の取り込み')
  async show(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const batch = await this.batches.get(user, id, origin);
    this.views.send(reply, 200, 'batch', {
      title: '一括処理',
      batch,
      phaseLabel: PHASES[batch.phase] ?? batch.phase,
      progressText: progressText(batch.phase, batch.progressDone, batch.progressTotal),
      running: batch.status === 'queued' || batch.status === 'running',
      rejected: batch.people.filter((p) => p.status === 'rejected'),
    });
  }
}
