import http from 'node:http';

/**
 * Loopback load generator, run as a child process so it does not share the server's event loop:
 * `concurrency` keep-alive connections each loop GET requests until `total` are done. Each connection
 * comes from its own loopback address (127.0.1.n), as each family signs from its own phone: the
 * service's per-address rate limit applies as it would in use.
 */
interface Plan {
  /** Connection i requests urls[i % urls.length]. */
  urls: string[];
  concurrency: number;
  total: number;
}

async function run({ urls, concurrency, total }: Plan): Promise<void> {
  const agents = Array.from({ length: concurrency }, (_, i) => new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}` }));
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const begin = process.hrtime.bigint();
  const one = (agent: http.Agent, url: string) =>
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
    agents.map(async (agent, i) => {
      while (started < total) {
        started++;
        await one(agent, urls[i % urls.length]);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  for (const agent of agents) agent.destroy();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)].toFixed(1));
  process.send!({ requests: latencies.length, errors, seconds: Number(seconds.toFixed(2)), perSecond: Math.round(latencies.length / seconds), p50: p(0.5), p95: p(0.95), p99: p(0.99), max: p(1) });
}

process.once('message', (plan: Plan) => void run(plan).then(() => process.exit(0)));
