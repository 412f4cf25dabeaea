import net from 'node:net';

/**
 * Loopback load generator, run as a child process so it does not share the server's event loop:
 * `concurrency` keep-alive connections each loop GET requests until `total` are done. Each connection
 * comes from its own loopback address (127.0.1.n), as each family signs from its own phone: the
 * service's per-address rate limit applies as it would in use.
 *
 * It speaks just enough HTTP/1.1 over raw sockets (a prepared request; responses with Content-Length)
 * to use a fraction of the CPU that node:http's client does: on a 2-core machine every cycle the load
 * generator spends is taken from the server it measures.
 */
interface Plan {
  /** Connection i requests urls[i % urls.length]. */
  urls: string[];
  concurrency: number;
  total: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection; `get()` resolves with the status code once the whole body has arrived. */
function connection(url: URL, localAddress: string) {
  const request = Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
  const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress });
  socket.setNoDelay(true);
  let pending: { resolve: (status: number) => void; reject: (error: Error) => void } | null = null;
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const headerEnd = buffered.indexOf(HEADER_END);
    if (headerEnd < 0 || !pending) return;
    const head = buffered.subarray(0, headerEnd).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return pending.reject(new Error('response without Content-Length'));
    const end = headerEnd + HEADER_END.length + Number(length[1]);
    if (buffered.length < end) return;
    buffered = buffered.subarray(end);
    const done = pending;
    pending = null;
    done.resolve(Number(head.slice(9, 12)));
  });
  socket.on('error', (error) => pending?.reject(error));
  socket.on('close', () => pending?.reject(new Error('connection closed')));
  return {
    get: () =>
      new Promise<number>((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(request);
      }),
    close: () => socket.destroy(),
  };
}

async function run({ urls, concurrency, total }: Plan): Promise<void> {
  const connections = Array.from({ length: concurrency }, (_, i) =>
    connection(new URL(urls[i % urls.length]), `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`),
  );
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const begin = process.hrtime.bigint();
  await Promise.all(
    connections.map(async (c) => {
      while (started < total) {
        started++;
        const t = process.hrtime.bigint();
        try {
          if ((await c.get()) !== 200) errors++;
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        } catch {
          errors++;
          return; // this connection is gone
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  for (const c of connections) c.close();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)].toFixed(1));
  process.send!({
    requests: latencies.length,
    errors,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(latencies.length / seconds),
    p50: p(0.5),
    p95: p(0.95),
    p99: p(0.99),
    max: p(1),
  });
}

process.once('message', (plan: Plan) => void run(plan).then(() => process.exit(0)));
