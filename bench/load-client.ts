import http from 'node:http';

/**
 * Loopback load generator, run as a child process so it does not share the server's event loop:
 * `concurrency` keep-alive connections each loop GET requests until `total` are done.
 */
interface Plan {
  url: string;
  concurrency: number;
  total: number;
}

async function run({ url, concurrency, total }: Plan): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const begin = process.hrtime.bigint();
  const one = () =>
    new Promise<void>((resolve) => {
      const t = process.hrtime.bigint();
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
            resolve();
          });
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started++;
        await one();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)].toFixed(1));
  process.send!({ requests: latencies.length, errors, seconds: Number(seconds.toFixed(2)), perSecond: Math.round(latencies.length / seconds), p50: p(0.5), p95: p(0.95), p99: p(0.99), max: p(1) });
}

process.once('message', (plan: Plan) => void run(plan).then(() => process.exit(0)));
