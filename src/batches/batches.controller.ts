import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { Upload, UploadedFile } from '../common/uploads';
import { batchOptions } from './batch-options';
import { BatchesService } from './batches.service';
import { BatchUploadDto } from './dto/batch-upload.dto';

@ApiTags('batches')
@Roles('office_manager', 'office_staff')
@Controller('api/batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Post('preview')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      'Office managers: check a roster (CSV in Shift_JIS or UTF-8, or XLSX): each row with its problems, and what would be done. Creates nothing',
  })
  preview(@User() user: CurrentUser, @Upload('file') file: UploadedFile | undefined, @Body() body: BatchUploadDto) {
    return this.batches.preview(user, file?.buffer, file?.filename ?? '', batchOptions(body).kind);
  }

  @Post()
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      'Office managers: create the batch (staff, pledges and notices), then one print-ready PDF (mode=print) or signing links (mode=esign)',
  })
  async create(
    @User() user: CurrentUser,
    @Upload('file') file: UploadedFile | undefined,
    @Body() body: BatchUploadDto,
    @Origin() origin: RequestOrigin,
  ) {
    const batch = await this.batches.create(user, file?.buffer, file?.filename ?? 'roster', batchOptions(body), origin);
    return { id: batch.id, status: batch.status, statusUrl: `/api/batches/${batch.id}` };
  }

  @Get(':id')
  get(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.batches.get(user, id, origin);
  }

  @Get(':id/pdf')
  async pdf(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const pdf = await this.batches.pdf(user, id, origin);
    reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="pledges-${id.slice(0, 8)}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  }
}
