import { isIP } from 'node:net';
import { StartupError } from '../common/startup-error';
import { join, resolve } from 'node:path';
import { projectRoot } from '../common/project-root';

/** The one typed configuration object, read from the environment and checked once at start-up. */
export interface AppConfig {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key (queues, heartbeats); a test run uses its own. */
  queuePrefix: string;
  /** The worker's printer: Debian's chromium-headless-shell by default (same Blink, prints about 3× faster). */
  chromiumPath: string;
  templatesDir: string;
  renderPoolSize: number;
  /** A session unused for this long is logged out. */
  sessionIdleMinutes: number;
  /** A session ends this long after its log-in, however busy (absolute lifetime). */
  sessionMaxHours: number;
  /** Every staff, 事務局 and admin account must enrol a second factor (TOTP or passkey) at log-in. */
  mfaRequired: boolean;
  /** Proxies whose X-Forwarded-For is believed (addresses, CIDRs, or loopback/linklocal/uniquelocal); otherwise the socket's address. */
  trustProxy: string[] | null;
  /** A mailed original not received after this many days is overdue on the secretariat's dashboard. */
  overdueDays: number;
  /** Days an office has to answer a patient's rights request (開示・訂正・利用停止・消去) before it is overdue. */
  rightsDueDays: number;
  /** SMTP server for outgoing mail; when unset outside production, mail is written as .eml files. */
  smtpUrl: string | null;
  mailFrom: string;
  mailDir: string;
  /** PKCS#12 certificate that seals signed PDFs; outside production a development one is made if unset. */
  sealP12Path: string | null;
  /** Production may use a generated, untrusted certificate only when asked to (trial installs). */
  allowDevSeal: boolean;
  sealP12Password: string;
  /**
   * RFC 3161 timestamping authority; when set, every seal is PAdES B-LTA (signature timestamp, validation
   * data, document timestamp) or not made at all. Production requires it unless SEAL_WITHOUT_TSA=1.
   */
  tsaUrl: string | null;
  /** A sealed file's newest document timestamp is renewed when its authority's certificate expires within this many days. */
  archiveRenewDays: number;
  devSealPath: string;
  signingLinkDays: number;
  /** How long a home visit's documents may be signed offline and synced (then the device wipes them, the server refuses). */
  visitHours: number;
  reminderDays: number;
  /** How long a family's copy link lives — and the withdrawal link sent beside it (then the office takes a withdrawal). */
  downloadLinkDays: number;
  /** Requests per minute from one address before 429 (anti-abuse on public pages such as /sign). */
  throttlePerMinute: number;
  /** Attempts per minute from one address at each of log-in, the second factor and a 暗証番号 (each its own count). */
  throttleLoginPerMinute: number;
  /** bcrypt's work factor for passwords and 暗証番号 (below 10 only outside production: the tests use 4). */
  passwordHashCost: number;
  /** How often the worker's sweeper re-queues work that PostgreSQL says is due (and once at start-up). */
  sweepSeconds: number;
  /** A batch without progress for this long makes /health say degraded. */
  stuckMinutes: number;
  /**
   * How long an API keeps the row of a signing link being opened, at most (0: it reads it on every request).
   * PostgreSQL tells every API of each change as it commits; this bounds a copy if a notification were lost.
   */
  signingLinkCacheSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Webhook URLs may resolve to loopback, private or link-local addresses, and be http in production (tests only). */
  webhookAllowPrivate: boolean;
  /** Seconds before each retry of a failed webhook delivery, in order; after the last, the delivery has failed. */
  webhookRetrySeconds: number[];
  /** An endpoint whose deliveries have failed for this long (no success between) is disabled and its owner told. */
  webhookDisableAfterSeconds: number;
  /** How long a receiver has to answer. */
  webhookTimeoutMs: number;
  /** How often the worker looks for webhook deliveries that are due. */
  webhookPollMs: number;
  /** Where PDFs' bytes live when not in PostgreSQL: an S3-compatible bucket (null: PostgreSQL, as a trial install). */
  objectStorage: ObjectStorageConfig | null;
}

/** An S3-compatible bucket, reached through the AWS SDK: AWS S3 itself, MinIO, Ceph, Cloudflare R2, Wasabi… */
export interface ObjectStorageConfig {
  /** The service's address; null means AWS S3 in `region`. */
  endpoint: string | null;
  bucket: string;
  region: string;
  /** Null: the SDK's own chain (AWS_ACCESS_KEY_ID, an instance role…). */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
  /** Bucket in the path (most self-hosted stores) rather than in the host name. */
  forcePathStyle: boolean;
}

export class ConfigError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Debian's package chromium-headless-shell: the same Chromium build as the browser, without its windowing
 * (the old headless mode). It prints the same PDF to the pixel and takes about a third of the browser's time
 * per page (docs/benchmarks.md). CHROMIUM_PATH=/usr/bin/chromium works too.
 */
export const DEFAULT_CHROMIUM_PATH = '/usr/lib/chromium/chromium-headless-shell';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Development defaults match the machine the README describes (local Postgres and Redis); production
 * must name its database and Redis explicitly, so a forgotten variable cannot point at localhost.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const nodeEnv = oneOf('NODE_ENV', env.NODE_ENV ?? 'development', ['development', 'test', 'production'] as const);
  const production = nodeEnv === 'production';

  function required(name: string, fallback: string): string {
    const value = env[name];
    if (value === undefined || value === '') {
      if (production) problems.push(`${name} is required when NODE_ENV=production`);
      return fallback;
    }
    return value;
  }
  function url(name: string, fallback: string, protocols: string[]): string {
    const value = required(name, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
    } catch {
      problems.push(`${name} is not a valid URL: "${value}"`);
    }
    return value;
  }
  function integer(name: string, fallback: number, min: number, max: number): number {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }
  function flag(name: string, fallback: boolean): boolean {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'on', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'off', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be 1 or 0 (got "${raw}")`);
    return fallback;
  }
  function proxies(name: string): string[] | null {
    const raw = env[name]?.trim();
    if (!raw) return null;
    const entries = raw.split(',').map((e) => e.trim());
    for (const entry of entries) {
      const [address, bits, extra] = entry.split('/');
      const version = isIP(address);
      const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
      const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 6 ? 128 : 32));
      if (!named && (!version || !bitsOk || extra !== undefined))
        problems.push(`${name} must list proxy addresses or CIDRs separated by commas (got "${entry}")`);
    }
    return entries;
  }
  function seconds(name: string, fallback: number[]): number[] {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const values = raw.split(',').map((v) => Number(v.trim()));
    if (values.some((v) => !Number.isInteger(v) || v < 1 || v > 86_400) || values.length > 50) {
      problems.push(`${name} must list at most 50 whole numbers of seconds from 1 to 86400, separated by commas (got "${raw}")`);
      return fallback;
    }
    return values;
  }
  function pattern(name: string, value: string, re: RegExp): string {
    if (!re.test(value)) problems.push(`${name} must match ${re} (got "${value}")`);
    return value;
  }
  function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return value as T;
  }

  const port = integer('PORT', 3000, 1, 65535);
  const config: AppConfig = {
    nodeEnv,
    port,
    publicUrl: url('PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']).replace(/\/$/, ''),
    databaseUrl: url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/renkei', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix: pattern('QUEUE_PREFIX', env.QUEUE_PREFIX || 'renkei', /^[a-zA-Z0-9_-]+$/),
    chromiumPath: env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH,
    templatesDir: resolve(env.TEMPLATES_DIR || join(projectRoot(), 'templates')),
    renderPoolSize: integer('RENDER_POOL_SIZE', 2, 1, 16),
    sessionIdleMinutes: integer('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: integer('SESSION_MAX_HOURS', 12, 1, 24 * 30),
    mfaRequired: flag('MFA_REQUIRED', production),
    trustProxy: proxies('TRUST_PROXY'),
    overdueDays: integer('OVERDUE_DAYS', 14, 1, 365),
    rightsDueDays: integer('RIGHTS_DUE_DAYS', 14, 1, 90),
    smtpUrl: env.SMTP_URL ? url('SMTP_URL', '', ['smtp:', 'smtps:']) : null,
    mailFrom: env.MAIL_FROM || 'renkei-forms <no-reply@renkei-forms.invalid>',
    mailDir: resolve(env.MAIL_DIR || join(projectRoot(), 'var', 'mail')),
    sealP12Path: env.SEAL_P12_PATH || null,
    allowDevSeal: nodeEnv !== 'production' || env.SEAL_DEV_CERTIFICATE === '1',
    sealP12Password: env.SEAL_P12_PASSWORD ?? 'renkei-dev-seal',
    tsaUrl: env.TSA_URL ? url('TSA_URL', '', ['http:', 'https:']) : null,
    archiveRenewDays: integer('ARCHIVE_RENEW_DAYS', 365, 1, 3650),
    devSealPath: join(projectRoot(), 'var', 'dev-seal.p12'),
    signingLinkDays: integer('SIGNING_LINK_DAYS', 14, 1, 90),
    visitHours: integer('VISIT_HOURS', 24, 1, 336),
    reminderDays: integer('REMINDER_DAYS', 3, 1, 30),
    downloadLinkDays: integer('DOWNLOAD_LINK_DAYS', 14, 1, 90),
    throttlePerMinute: integer('THROTTLE_PER_MINUTE', 600, 10, 10_000_000),
    throttleLoginPerMinute: integer('THROTTLE_LOGIN_PER_MINUTE', 20, 1, 10_000_000),
    passwordHashCost: integer('PASSWORD_HASH_COST', 10, production ? 10 : 4, 15),
    sweepSeconds: integer('SWEEP_SECONDS', 600, 1, 86_400),
    stuckMinutes: integer('STUCK_MINUTES', 15, 1, 1440),
    signingLinkCacheSeconds: integer('SIGNING_LINK_CACHE_SECONDS', 60, 0, 3600),
    logLevel: oneOf('LOG_LEVEL', env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'), LOG_LEVELS),
    webhookAllowPrivate: flag('WEBHOOK_ALLOW_PRIVATE', false),
    // 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: the last try about 28 hours after the first.
    webhookRetrySeconds: seconds('WEBHOOK_RETRY_SECONDS', [60, 300, 1800, 7200, 18_000, 36_000, 36_000]),
    webhookDisableAfterSeconds: integer('WEBHOOK_DISABLE_AFTER_SECONDS', 86_400, 1, 30 * 86_400),
    webhookTimeoutMs: integer('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    webhookPollMs: integer('WEBHOOK_POLL_MS', 2000, 50, 60_000),
    objectStorage: objectStorage(env, problems),
  };
  if (production && !env.SEAL_P12_PATH && env.SEAL_DEV_CERTIFICATE !== '1')
    problems.push(
      'SEAL_P12_PATH is required when NODE_ENV=production (the certificate that seals signed PDFs; SEAL_DEV_CERTIFICATE=1 uses a generated, untrusted one for trials)',
    );
  if (production && !env.SMTP_URL) problems.push('SMTP_URL is required when NODE_ENV=production');
  if (production && !env.TSA_URL && env.SEAL_WITHOUT_TSA !== '1')
    problems.push(
      'TSA_URL is required when NODE_ENV=production (a certified RFC 3161 timestamping authority keeps seals verifiable; SEAL_WITHOUT_TSA=1 seals without one, PAdES B-B, for trials)',
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * STORAGE_URL names the bucket in one value: `s3://KEY:SECRET@bucket?region=ap-northeast-1` for AWS S3, or
 * `https://KEY:SECRET@host:port/bucket?region=…` for another S3-compatible store (bucket in the path).
 * The S3_* variables say the same one piece at a time. Neither set: PDFs stay in PostgreSQL.
 */
function objectStorage(env: NodeJS.ProcessEnv, problems: string[]): ObjectStorageConfig | null {
  const raw = env.STORAGE_URL?.trim();
  if (raw && env.S3_BUCKET) {
    problems.push('set either STORAGE_URL or the S3_* variables, not both');
    return null;
  }
  let config: ObjectStorageConfig;
  if (raw) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problems.push('STORAGE_URL is not a valid URL (s3://KEY:SECRET@bucket?region=… or https://KEY:SECRET@host/bucket)');
      return null;
    }
    const aws = url.protocol === 's3:';
    if (!aws && url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push(`STORAGE_URL must use s3:, https: or http: (got ${url.protocol})`);
      return null;
    }
    const user = decodeURIComponent(url.username);
    const secret = decodeURIComponent(url.password);
    config = {
      endpoint: aws ? null : `${url.protocol}//${url.host}`,
      bucket: aws ? url.hostname : url.pathname.replace(/^\/+|\/+$/g, ''),
      region: url.searchParams.get('region') || 'us-east-1',
      credentials: user || secret ? { accessKeyId: user, secretAccessKey: secret } : null,
      forcePathStyle: !aws,
    };
  } else if (env.S3_BUCKET) {
    const endpoint = env.S3_ENDPOINT?.trim() || null;
    if (endpoint && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) problems.push(`S3_ENDPOINT must be http(s)://host[:port] (got "${endpoint}")`);
    const pathStyle = env.S3_FORCE_PATH_STYLE?.toLowerCase();
    if (pathStyle && !['1', '0', 'true', 'false'].includes(pathStyle))
      problems.push(`S3_FORCE_PATH_STYLE must be 1 or 0 (got "${env.S3_FORCE_PATH_STYLE}")`);
    config = {
      endpoint: endpoint?.replace(/\/$/, '') ?? null,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION || 'us-east-1',
      credentials:
        env.S3_ACCESS_KEY_ID || env.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: env.S3_ACCESS_KEY_ID ?? '', secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '' }
          : null,
      forcePathStyle: pathStyle ? pathStyle === '1' || pathStyle === 'true' : endpoint !== null,
    };
  } else {
    for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'])
      if (env[name]) problems.push(`${name} is set but S3_BUCKET is not (PDFs would silently stay in PostgreSQL)`);
    return null;
  }
  if (!BUCKET_NAME.test(config.bucket))
    problems.push(`the storage bucket must be a bucket name of 3–63 lowercase letters, digits, dots or dashes (got "${config.bucket}")`);
  if (config.credentials && (!config.credentials.accessKeyId || !config.credentials.secretAccessKey))
    problems.push("object storage needs both the access key and its secret (or neither, for the SDK's own credentials)");
  return config;
}
