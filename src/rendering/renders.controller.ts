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
  async create(@Body() body: CreateRenderDto): Promise<RenderStatusDto> {
    return describe(await this.renders.request(body.network, body.form, body.data ?? {}));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status of a render' })
  @ApiOkResponse({ type: RenderStatusDto })
  async status(@Param('id') id: string): Promise<RenderStatusDto> {
    return describe(await this.renders.get(id));
  }

  @Get(':id/pdf')
  @ApiOperation({ summary: 'The PDF, once done (409 while queued, 422 if it failed)' })
  @ApiProduces('application/pdf')
  async pdf(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const { render, pdf } = await this.renders.pdf(id);
    const filename = encodeURIComponent(`${render.networkId}-${render.formId}.pdf`);
    reply
      .status(200)
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename*=UTF-8''${filename}`)
      .header('ETag', `"${render.pdfSha256}"`)
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
