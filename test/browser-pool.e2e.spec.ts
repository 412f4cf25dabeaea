import { loadConfig } from '../src/config/env';
import { BrowserPool } from '../src/rendering/browser.pool';
import { PdfRenderer } from '../src/rendering/pdf.renderer';
import { pdfText } from './support/pdf-tools';

const html = (text: string) => `<!doctype html><html lang="ja"><body><section class="page"><p>${text}</p></section></body></html>`;

describe('browser pool (real Chromium)', () => {
  const pool = new BrowserPool({ executablePath: loadConfig().chromiumPath, size: 2 });
  const renderer = new PdfRenderer(pool);
  afterAll(() => pool.close());

  it('relaunches Chromium after it crashes, and the next render succeeds', async () => {
    expect(pdfText((await renderer.render(html('最初の印刷'))).pdf)).toContain('最初の印刷');
    const firstPid = await pool.withPage(async (page) => page.browser().process()?.pid);
    await pool.withPage(async (page) => {
      const gone = new Promise((resolve) => page.browser().once('disconnected', resolve));
      page.browser().process()?.kill('SIGKILL');
      await gone; // the pool heard it too: its own listener was registered first
    });

    const after = await renderer.render(html('再起動後の印刷'));
    expect(pdfText(after.pdf)).toContain('再起動後の印刷');
    const secondPid = await pool.withPage(async (page) => page.browser().process()?.pid);
    expect(secondPid).toBeDefined();
    expect(secondPid).not.toBe(firstPid);
  });

  it('never opens more pages than its size, however many renders wait', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => renderer.render(html(`同時${i}`))));
    expect(results.map((r) => r.pageCount)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(pool.stats.created).toBeLessThanOrEqual(2);
    expect(pool.stats.waiting).toBe(0);
  });

  it('refuses content taller than its sheet instead of cutting it, and keeps working', async () => {
    const sheet = '<section class="page" style="height:297mm;overflow:hidden"><div style="height:400mm">長い</div></section>';
    const tall = `<!doctype html><html><body>${sheet}</body></html>`;
    await expect(renderer.render(tall)).rejects.toMatchObject({ code: 'PAGE_OVERFLOW' });
    expect((await renderer.render(html('その後も印刷できる'))).pageCount).toBe(1);
  });
});
