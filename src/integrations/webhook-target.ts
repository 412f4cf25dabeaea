import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may not reach (unless WEBHOOK_ALLOW_PRIVATE=1): this host, private networks, link-local, and the like. */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

/** Whether an address is one a webhook may not reach; an IPv4-mapped IPv6 address is judged as its IPv4 one. */
export function isBlocked(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  return BLOCKED.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export interface TargetRules {
  /** Private addresses and http allowed (tests; WEBHOOK_ALLOW_PRIVATE=1). */
  allowPrivate: boolean;
  /** https only (production). */
  httpsOnly: boolean;
}

/** A URL checked and resolved: the address it will be sent to, and nothing else. */
export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Why a URL may not receive webhooks, in Japanese; null when it may. Checks the form only (no DNS). */
export function urlProblem(raw: string, rules: TargetRules): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'URLの形式が正しくありません（https:// から入力してください）';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'URLは https:// で始めてください';
  if (url.protocol === 'http:' && rules.httpsOnly && !rules.allowPrivate)
    return 'URLは https:// で始めてください（暗号化されない http は使えません）';
  if (url.username || url.password) return 'URLに利用者名やパスワードを含めないでください（署名で送信元を確かめられます）';
  return null;
}

/**
 * Resolves the URL's host and refuses it when any address it has is loopback, private or link-local (a
 * webhook must not become a way into the server's own network). The caller connects to the address
 * returned, so a name that resolves differently a moment later changes nothing.
 */
export async function resolveTarget(raw: string, rules: TargetRules): Promise<ResolvedTarget> {
  const problem = urlProblem(raw, rules);
  if (problem) throw new TargetError(problem);
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new TargetError(`ホスト名「${host}」を解決できません`);
    }
  }
  if (addresses.length === 0) throw new TargetError(`ホスト名「${host}」を解決できません`);
  if (!rules.allowPrivate) {
    for (const { address } of addresses) {
      if (isBlocked(address))
        throw new TargetError('このURLは内部のアドレス（ループバック・プライベート・リンクローカル）を指しているため使えません');
    }
  }
  const chosen = addresses[0];
  return { url, address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}

export class TargetError extends Error {}

export interface PostResult {
  statusCode: number | null;
  /** The first bytes of the answer, or why there was none. */
  error: string | null;
  durationMs: number;
}

/**
 * POSTs the body to the resolved address (TLS still checks the URL's host name), waits at most `timeoutMs`,
 * and follows no redirect: a 3xx is an answer like any other non-2xx.
 */
export function postTo(target: ResolvedTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
  const started = Date.now();
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      resolve({ statusCode, error, durationMs: Date.now() - started });
    };
    const request = client.request(
      target.url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'renkei-forms-webhooks',
        },
        lookup: (_hostname, options, callback) => {
          const cb = callback as (...args: unknown[]) => void;
          if ((options as { all?: boolean }).all) cb(null, [{ address: target.address, family: target.family }]);
          else cb(null, target.address, target.family);
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < 1000) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const status = response.statusCode ?? null;
          const ok = status !== null && status >= 200 && status < 300;
          done(status, ok ? null : Buffer.concat(chunks).toString('utf8').slice(0, 300) || null);
        });
        response.on('error', (error) => done(response.statusCode ?? null, error.message));
      },
    );
    const deadline = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => done(null, error.message));
    request.on('close', () => clearTimeout(deadline));
    request.end(body);
  });
}
