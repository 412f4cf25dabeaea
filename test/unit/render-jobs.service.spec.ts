import { Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { EntityManager } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { FormPdfService } from '../../src/rendering/form-pdf.service';
import { PdfStoreService } from '../../src/rendering/pdf-store.service';
import { RenderJobsService } from '../../src/rendering/render-jobs.service';
import { RenderRequestEntity } from '../../src/rendering/render-request.entity';
import { RenderRequestsRepository } from '../../src/rendering/render-requests.repository';

/** The render_request table in memory, behind the repository's own methods. */
class FakeRequests {
  readonly rows = new Map<string, RenderRequestEntity>();

  add(row: Partial<RenderRequestEntity>): RenderRequestEntity {
    const render = { id: `r${this.rows.size + 1}`, networkId: 'rurume', formId: 'staff-pledge', data: {}, status: 'queued', ...row };
    this.rows.set(render.id, render as RenderRequestEntity);
    return render as RenderRequestEntity;
  }

  async findById(id: string) {
    return this.rows.get(id) ?? null;
  }

  async finish(id: string, store: (manager: EntityManager) => Promise<string>) {
    const sha256 = await store({} as EntityManager);
    Object.assign(this.rows.get(id)!, { status: 'done', pdfSha256: sha256, error: null });
    return sha256;
  }

  async fail(id: string, error: string) {
    Object.assign(this.rows.get(id)!, { status: 'failed', error });
  }
}

function service(renderForm: () => Promise<{ pdf: Buffer; pageCount: number }>) {
  const requests = new FakeRequests();
  const printed: Buffer[] = [];
  const formPdf = { renderForm: jest.fn(renderForm) } as unknown as FormPdfService;
  const pdfs = { save: async (pdf: Buffer) => (printed.push(pdf), `sha-of-${pdf.toString()}`) } as unknown as PdfStoreService;
  return { jobs: new RenderJobsService(requests as unknown as RenderRequestsRepository, formPdf, pdfs), requests, formPdf, printed };
}

describe('RenderJobsService.print (the render queue’s one call)', () => {
  beforeAll(() => Logger.overrideLogger(false)); // failed attempts are logged on purpose; not in this output
  const first = { number: 1, of: 3 };
  const last = { number: 3, of: 3 };

  it('prints a queued render, stores the PDF and marks the render done', async () => {
    const { jobs, requests } = service(async () => ({ pdf: Buffer.from('pdf'), pageCount: 1 }));
    const render = requests.add({});
    await expect(jobs.print(render.id, first)).resolves.toEqual({ sha256: 'sha-of-pdf' });
    expect(requests.rows.get(render.id)).toMatchObject({ status: 'done', pdfSha256: 'sha-of-pdf', error: null });
  });

  it('does nothing for a render already done (a retried job)', async () => {
    const { jobs, requests, formPdf } = service(async () => ({ pdf: Buffer.from('again'), pageCount: 1 }));
    const render = requests.add({ status: 'done', pdfSha256: 'sha-before' });
    await expect(jobs.print(render.id, first)).resolves.toEqual({ sha256: 'sha-before' });
    expect(formPdf.renderForm).not.toHaveBeenCalled();
  });

  it('gives up at once on a render that does not exist', async () => {
    const { jobs } = service(async () => ({ pdf: Buffer.from('x'), pageCount: 1 }));
    await expect(jobs.print('missing', first)).rejects.toThrow(UnrecoverableError);
  });

  it('fails a domain refusal at once, recording why', async () => {
    const { jobs, requests } = service(async () => {
      throw new DomainError('PAGE_OVERFLOW', '内容が用紙に収まりません');
    });
    const render = requests.add({});
    await expect(jobs.print(render.id, first)).rejects.toThrow(UnrecoverableError);
    expect(requests.rows.get(render.id)).toMatchObject({ status: 'failed', error: '内容が用紙に収まりません' });
  });

  it('lets any other error be retried, and records it only on the last attempt', async () => {
    const { jobs, requests } = service(async () => {
      throw new Error('Chromium went away');
    });
    const render = requests.add({});
    await expect(jobs.print(render.id, first)).rejects.not.toThrow(UnrecoverableError);
    expect(requests.rows.get(render.id)!.status).toBe('queued');
    await expect(jobs.print(render.id, last)).rejects.toThrow(UnrecoverableError);
    expect(requests.rows.get(render.id)).toMatchObject({ status: 'failed', error: 'Chromium went away' });
  });
});
