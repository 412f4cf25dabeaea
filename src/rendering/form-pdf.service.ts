import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { NetworksService } from '../networks/networks.service';
import { FormContext } from '../templates/template.engine';
import { BrowserPool } from './browser.pool';
import { PdfRenderer, RenderedPdf } from './pdf.renderer';

export const BROWSER_POOL = Symbol('BROWSER_POOL');

/** Prints one network form to PDF. Lives where Chromium lives: the worker, or the CLI. */
@Injectable()
export class FormPdfService implements OnApplicationShutdown {
  private readonly renderer: PdfRenderer;

  constructor(
    private readonly networks: NetworksService,
    @Inject(BROWSER_POOL) readonly pool: BrowserPool,
  ) {
    this.renderer = new PdfRenderer(pool);
  }

  /** `data` must already be validated (NetworksService.validate). */
  async renderForm(
    networkId: string,
    formId: string,
    data: Record<string, unknown>,
    exemplar: FormContext['exemplar'] = null,
    signatures: FormContext['signatures'] = {},
  ): Promise<RenderedPdf> {
    const { form } = this.networks.getForm(networkId, formId);
    const body = this.networks.formHtml(networkId, formId, data, exemplar, signatures);
    const rendered = await this.renderer.render(this.networks.engine.wrapDocument([body], form.title));
    if (rendered.pageCount !== form.pages) {
      throw new DomainError(
        'PAGE_OVERFLOW',
        `${networkId}/${formId} printed ${rendered.pageCount} pages; the catalogue declares ${form.pages}`,
      );
    }
    return rendered;
  }

  /** Any HTML made of `.page` sheets (e.g. the audit-trail page), printed like a form. */
  renderHtml(html: string): Promise<RenderedPdf> {
    return this.renderer.render(html);
  }

  /**
   * Chromium stops in the last phase of shutdown, after the queues' workers have stopped taking jobs and
   * finished the ones they hold (LoggedWorkerHost); stopped earlier, a job taken in between found no browser.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
