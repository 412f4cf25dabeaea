import { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import { TestStack } from './test-app';

/**
 * The person's browser: Debian's full Chromium through Playwright (not the worker's headless shell, which
 * prints PDFs), with the flags that keep it quiet on a closed network.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.BROWSER_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Puts the stack's API on a loopback port for the browser; returns its base URL. */
export async function listen(stack: TestStack): Promise<string> {
  await stack.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(stack.app.getHttpServer().address() as AddressInfo).port}`;
}
