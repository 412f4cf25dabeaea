import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { CreateRenderDto, RenderStatusDto } from './dto/create-render.dto';
import { RenderRequestEntity } from './render-request.entity';
import { RendersService } from './renders.service';

@ApiTags('renders')
@Controller('api/renders')
export class RendersController {
  constructor(private readonly renders: RendersService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Validate a form’s data and queue it for printing to PDF' })
  @ApiAcceptedResponse({ type: RenderStatusDto })
  @ApiBadRequestResponse({ description: 'Every invalid field, with its path and a Japanese message' })
  @ApiNotFoundResponse({ description: 'Unknown network or form; the body lists what exists' })
  async create(@User() user: CurrentUser, @Body() body: CreateRenderDto): Promise<RenderStatusDto> {
    return describe(await this.renders.request(user, body.network, body.form, body.data ?? {}));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status of a render (its creator only: anyone else gets 404)' })
  @ApiOkResponse({ type: RenderStatusDto })
  async status(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<RenderStatusDto> {
    return describe(await this.renders.get(user, id, origin));
  }

  @Get(':id/pdf')
  @ApiOperation({ summary: 'The PDF, once done (409 while queued, 422 if it failed); its creator only' })
  @ApiProduces('application/pdf')
  async pdf(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { render, pdf } = await this.renders.pdf(user, id, origin);
    const filename = encodeURIComponent(`${render.networkId}-${render.formId}.pdf`);
    reply
      .status(200)
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename*=UTF-8''${filename}`)
      .header('ETag', `"${render.pdfSha256}"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  }
}

export function describe(render: RenderRequestEntity): RenderStatusDto {
  return {
    id: render.id,
    network: render.networkId,
    form: render.formId,
    status: render.status,
    error: render.error,
    sha256: render.pdfSha256,
    statusUrl: `/api/renders/${render.id}`,
    pdfUrl: `/api/renders/${render.id}/pdf`,
  };
}
