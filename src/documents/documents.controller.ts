import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, User } from '../common/auth/current-user';
import { RequestOrigin } from '../common/request-origin';
import { Origin } from '../common/request-origin';
import { MAX_LIST_PAGE_SIZE, PAGE_HEADERS_DOC, pageOf, setPageHeaders } from '../common/validation/paging';
import { DocumentsService } from './documents.service';
import { CreateDocumentDto } from './dto/create-document.dto';
import { ListDocumentsQueryDto } from './dto/list-documents.dto';
import { ReviseDocumentDto } from './dto/revise-document.dto';

@ApiTags('documents')
@Controller('api')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post('documents')
  @ApiOperation({ summary: 'Create a draft document: a form for the office, a staff member or a patient (prefilled from them)' })
  create(@User() user: CurrentUser, @Body() body: CreateDocumentDto, @Origin() origin: RequestOrigin) {
    return this.documents.create(user, body, origin);
  }

  @Get('documents')
  @ApiOperation({
    summary:
      'The documents the caller may see (an office its own; a 事務局 its network’s submitted forms), newest first, a page at a ' +
      `time: \`limit\` (at most ${MAX_LIST_PAGE_SIZE}, the default) and \`page\`. The answer stays an array; ` +
      '`X-Total-Count` gives every matching document and `Link` the first, prev, next and last pages',
  })
  @ApiOkResponse({ headers: PAGE_HEADERS_DOC })
  async list(
    @User() user: CurrentUser,
    @Query() query: ListDocumentsQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const at = pageOf(query.page, query.limit, MAX_LIST_PAGE_SIZE);
    const { documents, total } = await this.documents.list(user, { status: query.status, form: query.form }, at);
    setPageHeaders(request, reply, at, total);
    return documents;
  }

  @Get('documents/:id')
  get(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.documents.get(user, id, origin);
  }

  @Post('documents/:id/issue')
  @ApiOperation({ summary: 'Issue a draft: creates its originals and copies per the network’s custody rule and prints them' })
  issue(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.documents.issue(user, id, origin);
  }

  @Post('documents/:id/versions')
  @ApiOperation({ summary: 'New data: a new version of a draft, or a correcting document for an issued/signed one' })
  revise(@User() user: CurrentUser, @Param('id') id: string, @Body() body: ReviseDocumentDto, @Origin() origin: RequestOrigin) {
    return this.documents.revise(user, id, body.data ?? {}, origin);
  }

  @Post('documents/:id/paper-signature')
  @ApiOperation({ summary: 'Record that the paper originals came back signed' })
  paperSignature(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin) {
    return this.documents.recordPaperSignature(user, id, origin);
  }

  @Get('exemplars/:code/pdf')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The printable PDF of one exemplar (原本 or 写し, with its QR code); 409 while printing' })
  async pdf(
    @User() user: CurrentUser,
    @Param('code') code: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { exemplar, pdf } = await this.documents.exemplarPdf(user, code, origin);
    reply
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename="${exemplar.code}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  }
}
