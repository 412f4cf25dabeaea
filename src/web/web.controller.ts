import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, User } from '../common/auth/current-user';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, RequestOrigin } from '../common/request-origin';
import { HOLDER_LABELS, Holder } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { describe } from '../rendering/renders.controller';
import { RendersService } from '../rendering/renders.service';
import { FormDataDto } from './dto/form-data.dto';
import { buildFormModel } from './form-model';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** Blank forms: choose a network and form, fill it in, get the PDF (not tracked as a document). */
@ApiExcludeController()
@Controller()
export class WebController {
  constructor(
    private readonly networks: NetworksService,
    private readonly renders: RendersService,
    private readonly views: WebViews,
  ) {}

  @Get('forms')
  @PageName('様式')
  index(@Res() reply: FastifyReply): void {
    this.page(reply, 200, 'index', { title: '様式を選ぶ', networks: this.networks.list() });
  }

  @Get('forms/:networkId/:formId')
  @PageName('様式')
  form(
    @Param('networkId') networkId: string,
    @Param('formId') formId: string,
    @Query('sample') sample: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    this.guard(reply, () => {
      const { form } = this.networks.getForm(networkId, formId);
      this.showForm(reply, 200, networkId, formId, sample ? form.sample : {}, []);
    });
  }

  @Post('forms/:networkId/:formId')
  @PageName('様式')
  @ShowFormOnError('formAgain')
  async submit(
    @User() user: CurrentUser,
    @Param('networkId') networkId: string,
    @Param('formId') formId: string,
    @Body() body: FormDataDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const values: Record<string, unknown> = { ...body };
    await this.guard(reply, async () => {
      const render = await this.renders.request(user, networkId, formId, values);
      reply.redirect(`/renders/${render.id}`, 303);
    });
  }

  formAgain({ reply, params, values, errors, status }: FormAgain): void {
    this.showForm(reply, status, params.networkId, params.formId, values, errors);
  }

  @Get('renders/:id')
  @PageName('様式のPDF')
  async render(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.guard(reply, async () => {
      const render = describe(await this.renders.get(user, id, origin));
      const { form } = this.networks.getForm(render.network, render.form);
      this.page(reply, 200, 'render', {
        title: form.title,
        formTitle: `${form.number} ${form.title}`,
        render,
      });
    });
  }

  private showForm(
    reply: FastifyReply,
    status: number,
    networkId: string,
    formId: string,
    values: Record<string, unknown>,
    errors: FieldError[],
  ): void {
    const { network, form } = this.networks.getForm(networkId, formId);
    const holders = (list: Holder[]) => list.map((h) => HOLDER_LABELS[h]).join('、');
    this.page(reply, status, 'form', {
      title: form.title,
      network,
      form,
      custody: { originals: holders(form.custody.originals), copies: holders(form.custody.copies) },
      inputs: buildFormModel(form.fields, values, errors),
      errors: errors.map((e) => ({ ...e, anchor: anchorFor(e.path) })),
    });
  }

  private async guard(reply: FastifyReply, work: () => unknown): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof DomainError && error.code.endsWith('_NOT_FOUND')) {
        this.page(reply, 404, 'error', { title: '見つかりません', message: error.message });
        return;
      }
      throw error;
    }
  }

  private page(reply: FastifyReply, status: number, view: string, context: Record<string, unknown>): void {
    this.views.send(reply, status, view, context);
  }
}

/** members[2].email → members-2-email, the id buildFormModel gives that input. */
function anchorFor(path: string): string {
  return path.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-');
}
