import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { toExcelCsv } from '../common/csv';
import { formatJst } from '../common/japan-date';
import { Origin, RequestOrigin } from '../common/request-origin';
import { RegistrationDoneDto } from './dto/registration-done.dto';
import { RegistrationAnswerDto, RegistrationQuestionDto } from './dto/registration-message.dto';
import { RegistrationQueryDto } from './dto/registration-query.dto';
import { RegistrationsService } from './registrations.service';
import { KIND_LABELS, RegistrationLine, SOURCE_LABELS } from './registrations.types';

@ApiTags('registrations')
@Controller('api')
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Get('registrations')
  @Roles('secretariat', 'office_manager', 'office_staff', 'admin')
  @ApiOperation({
    summary: "Staff registrations to work off in MCS: the 事務局's network's lines, or an office's own (status=open|done)",
  })
  list(@User() user: CurrentUser, @Query() query: RegistrationQueryDto): Promise<RegistrationLine[]> {
    return this.registrations.list(user, query.status);
  }

  @Get('registrations.csv')
  @Roles('secretariat')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: '事務局: the lines as CSV for Excel (UTF-8 with BOM), to work off in MCS (status=open by default)' })
  async csv(@User() user: CurrentUser, @Query() query: RegistrationQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const lines = await this.registrations.list(user, query.status ?? 'open');
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${user.networkId}-registrations.csv"`)
      .send(registrationsCsv(lines));
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

/** One row per line, in the order the 事務局 types them into MCS. */
export function registrationsCsv(lines: RegistrationLine[]): string {
  return toExcelCsv([
    ['受付日時', '事業所', '区分', '氏名', 'ふりがな', 'メールアドレス', '職種', '経路', '状態', 'MCS ID', 'メモ'],
    ...lines.map((l) => [
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
    ]),
  ]);
}
