import { Logger } from '@nestjs/common';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { DomainError } from '../common/errors/domain-error';
import { recordBrowser } from './browser-processes';

/** Flags that keep Chromium from stalling on a closed network or a machine without a GPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--font-render-hinting=none',
];

export interface BrowserPoolOptions {
  executablePath: string;
  size: number;
}

/**
 * One long-lived Chromium with a fixed number of reusable pages. A crashed browser is noticed through
 * its `disconnected` event and relaunched by the next caller; pages that fail are replaced. Chromium runs
 * in its own process group and is driven over a pipe, so it ends with this process even when this process
 * is killed; it is also recorded (browser-processes.ts) so that a stale one is found and killed.
 */
export class BrowserPool {
  private readonly logger = new Logger(BrowserPool.name);
  private browser: Promise<Browser> | null = null;
  /** Every open page, busy or idle, of the current browser. */
  private pages = new Set<Page>();
  private idle: Page[] = [];
  private waiting: Array<{ resolve: (page: Page) => void; reject: (error: unknown) => void }> = [];
  private closed = false;

  constructor(private readonly options: BrowserPoolOptions) {}

  async withPage<T>(work: (page: Page) => Promise<T>): Promise<T> {
    const page = await this.acquire();
    let healthy = true;
    try {
      return await work(page);
    } catch (error) {
      healthy = error instanceof DomainError; // a domain refusal says nothing about the page itself
      throw error;
    } finally {
      this.release(page, healthy);
    }
  }

  async version(): Promise<string> {
    return (await this.getBrowser()).version();
  }

  get stats(): { size: number; created: number; idle: number; waiting: number; running: boolean } {
    return {
      size: this.options.size,
      created: this.pages.size,
      idle: this.idle.length,
      waiting: this.waiting.length,
      running: this.browser !== null,
    };
  }

  /** True once closed for good (shutting down), as opposed to a crashed browser awaiting relaunch. */
  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser;
    this.browser = null;
    if (browser) await (await browser.catch(() => null))?.close().catch(() => undefined);
  }

  private async acquire(): Promise<Page> {
    if (this.closed) throw new DomainError('BROWSER_UNAVAILABLE', 'ブラウザは停止しています');
    let page = this.idle.pop();
    while (page && (page.isClosed() || !page.browser().connected)) {
      this.pages.delete(page); // its browser died before the disconnected event reached us
      page = this.idle.pop();
    }
    if (page) return page;
    if (this.pages.size < this.options.size) {
      const placeholder = {} as Page;
      this.pages.add(placeholder); // reserve the slot while the page opens
      try {
        const created = await (await this.getBrowser()).newPage();
        this.pages.add(created);
        return created;
      } finally {
        this.pages.delete(placeholder);
      }
    }
    return new Promise<Page>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(page: Page, healthy: boolean): void {
    const current = this.pages.has(page) && page.browser().connected;
    if (!healthy || !current || page.isClosed()) {
      this.pages.delete(page);
      void page.close().catch(() => undefined);
      const next = this.waiting.shift();
      if (next) this.acquire().then(next.resolve, next.reject);
      return;
    }
    const next = this.waiting.shift();
    if (next) next.resolve(page);
    else this.idle.push(page);
  }

  private async getBrowser(): Promise<Browser> {
    const pending = this.browser;
    const current = pending && (await pending.catch(() => null));
    if (current && !current.connected && this.browser === pending) this.browser = null;
    if (!this.browser) {
      this.browser = this.launch();
      this.browser.catch(() => (this.browser = null));
    }
    return this.browser;
  }

  private async launch(): Promise<Browser> {
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath: this.options.executablePath,
        // Plain --headless: the headless shell's only mode, and the same as --headless=new for the full browser.
        headless: 'shell',
        args: CHROMIUM_ARGS,
        protocolTimeout: 60_000,
        // Over a pipe, Chromium exits when its owner dies (even by SIGKILL); over a WebSocket it would stay.
        pipe: true,
      });
    } catch (error) {
      throw new DomainError(
        'BROWSER_UNAVAILABLE',
        `Chromium could not start (${this.options.executablePath}): ${(error as Error).message}`,
      );
    }
    const pid = browser.process()?.pid;
    const forget = pid ? recordBrowser(pid) : () => undefined;
    browser.on('disconnected', () => {
      forget();
      if (this.closed) return;
      this.logger.warn('Chromium disconnected; it will be relaunched for the next render');
      this.browser = null;
      this.idle = [];
      this.pages = new Set();
    });
    this.logger.log(`Chromium ${await browser.version()} started with a pool of ${this.options.size} pages`);
    return browser;
  }
}
