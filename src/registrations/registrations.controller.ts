import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { excelCsvChunks } from '../common/csv';
import { formatJst } from '../common/japan-date';
import { Origin, RequestOrigin } from '../common/request-origin';
import { MAX_LIST_PAGE_SIZE, PAGE_HEADERS_DOC, pageOf, setPageHeaders } from '../common/validation/paging';
import { RegistrationDoneDto } from './dto/registration-done.dto';
import { RegistrationAnswerDto, RegistrationQuestionDto } from './dto/registration-message.dto';
import { RegistrationCsvQueryDto, RegistrationQueryDto } from './dto/registration-query.dto';
import { RegistrationsService } from './registrations.service';
import { KIND_LABELS, RegistrationLine, SOURCE_LABELS } from './registrations.types';

@ApiTags('registrations')
@Controller('api')
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Get('registrations')
  @Roles('secretariat', 'office_manager', 'office_staff', 'admin')
  @ApiOperation({
    summary:
      "Staff registrations to work off in MCS: the 事務局's network's lines, or an office's own (status=open|done, office=id), oldest " +
      `first, a page at a time: \`limit\` (at most ${MAX_LIST_PAGE_SIZE}, the default) and \`page\`. The answer stays an ` +
      'array; `X-Total-Count` gives every matching line and `Link` the first, prev, next and last pages',
  })
  @ApiOkResponse({ headers: PAGE_HEADERS_DOC })
  async list(
    @User() user: CurrentUser,
    @Query() query: RegistrationQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegistrationLine[]> {
    const at = pageOf(query.page, query.limit, MAX_LIST_PAGE_SIZE);
    const { lines, total } = await this.registrations.page(user, query.status, at, 'oldest', query.office);
    setPageHeaders(request, reply, at, total);
    return lines;
  }

  @Get('registrations.csv')
  @Roles('secretariat')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: '事務局: the lines as CSV for Excel (UTF-8 with BOM), to work off in MCS (status=open by default); streamed, every line',
  })
  csv(@User() user: CurrentUser, @Query() query: RegistrationCsvQueryDto, @Res() reply: FastifyReply): void {
    const registrations = this.registrations;
    async function* rows() {
      for await (const lines of registrations.each(user, query.status ?? 'open')) yield lines.map(csvRow);
    }
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${user.networkId}-registrations.csv"`)
      .send(Readable.from(excelCsvChunks(CSV_HEADER, rows())));
  }

  @Get('registrations/:id')
  @Roles('secretariat', 'office_manager', 'office_staff', 'admin')
  get(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<RegistrationLine> {
    return this.registrations.get(user, id, origin);
  }

  @Post('registrations/:id/done')
  @HttpCode(200)
  @Roles('secretariat')
  @ApiOperation({ summary: '事務局: done in MCS, optionally with the MCS ID or a note the office sees' })
  done(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RegistrationDoneDto,
    @Origin() origin: RequestOrigin,
  ): Promise<RegistrationLine> {
    return this.registrations.markDone(user, id, body, origin);
  }

  @Post('registrations/:id/questions')
  @Roles('secretariat')
  @ApiOperation({ summary: '事務局: ask the office about a line (its managers are told by e-mail)' })
  ask(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RegistrationQuestionDto,
    @Origin() origin: RequestOrigin,
  ): Promise<RegistrationLine> {
    return this.registrations.ask(user, id, body.question, origin);
  }

  @Post('registrations/:id/answer')
  @HttpCode(200)
  @Roles('office_manager', 'office_staff')
  @ApiOperation({ summary: "Office: answer the 事務局's open question about one of its lines" })
  answer(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: RegistrationAnswerDto,
    @Origin() origin: RequestOrigin,
  ): Promise<RegistrationLine> {
    return this.registrations.answer(user, id, body.answer, origin);
  }
}

const CSV_HEADER = ['受付日時', '事業所', '区分', '氏名', 'ふりがな', 'メールアドレス', '職種', '経路', '状態', 'MCS ID', 'メモ'];

/** One row per line, in the order the 事務局 types them into MCS. */
function csvRow(l: RegistrationLine): Array<string | null> {
  return [
    formatJst(l.submittedAt),
    l.officeName,
    KIND_LABELS[l.kind],
    l.name,
    l.nameKana,
    l.email,
    l.jobTitle,
    SOURCE_LABELS[l.source],
    l.status === 'done' ? '対応済' : l.awaitingAnswer ? '質問中' : '未対応',
    l.mcsId,
    l.note,
  ];
}
