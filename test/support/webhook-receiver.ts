import { EventEmitter } from 'node:events';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
  type: string;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  received: ReceivedHook[];
  /** What to answer a request to `path` (default 200). */
  answer(path: string, status: (hook: Omit<ReceivedHook, 'status'>) => number): void;
  /** Waits for a request that matches (on its arrival, not by polling). */
  waitFor(match: (hook: ReceivedHook) => boolean, what: string, timeoutMs?: number): Promise<ReceivedHook>;
  close(): Promise<void>;
}

/** A webhook receiver on loopback: a plain HTTP server that records every request and answers as told. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(100);
  const answers = new Map<string, (hook: Omit<ReceivedHook, 'status'>) => number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let type = '';
      try {
        type = (JSON.parse(body) as { type: string }).type;
      } catch {
        type = '(not JSON)';
      }
      const path = request.url ?? '/';
      const hook = { path, headers: request.headers, body, type };
      const status = answers.get(path)?.(hook) ?? 200;
      const recorded = { ...hook, status };
      received.push(recorded);
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver failed on purpose');
      arrivals.emit('hook', recorded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (path, status) => answers.set(path, status),
    waitFor(match, what, timeoutMs = 60_000) {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          arrivals.off('hook', listener);
          reject(new Error(`no webhook ${what} within ${timeoutMs} ms (got: ${received.map((r) => `${r.path} ${r.type}`).join(', ')})`));
        }, timeoutMs);
        const listener = (hook: ReceivedHook) => {
          if (!match(hook)) return;
          clearTimeout(timer);
          arrivals.off('hook', listener);
          resolve(hook);
        };
        arrivals.on('hook', listener);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
