import { ConfigError, loadConfig } from '../../src/config/env';

/** Everything production requires, named. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db/renkei',
  REDIS_URL: 'redis://redis:6379',
  PUBLIC_URL: 'https://forms.example.jp',
  SMTP_URL: 'smtp://mail:25',
  SEAL_P12_PATH: '/run/secrets/seal.p12',
  TSA_URL: 'https://tsa.example.jp/tsa',
};

describe('configuration', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config).toMatchObject({ port: 3000, redisUrl: 'redis://127.0.0.1:6379', renderPoolSize: 2 });
  });

  it('names every malformed variable', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', RENDER_POOL_SIZE: '0', LOG_LEVEL: 'loud', QUEUE_PREFIX: 'a:b' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'RENDER_POOL_SIZE', 'LOG_LEVEL', 'QUEUE_PREFIX']) expect(message).toContain(name);
    }
  });

  it('keeps a home visit 24 hours unless VISIT_HOURS says otherwise (1 to 336)', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).visitHours).toBe(24);
    expect(loadConfig({ NODE_ENV: 'development', VISIT_HOURS: '72' }).visitHours).toBe(72);
    for (const wrong of ['0', '337', 'a day'])
      expect(() => loadConfig({ NODE_ENV: 'development', VISIT_HOURS: wrong })).toThrow(/VISIT_HOURS/);
  });

  it("hashes passwords at bcrypt's work factor 10 unless PASSWORD_HASH_COST says otherwise, never below 10 in production", () => {
    expect(loadConfig({ NODE_ENV: 'development' }).passwordHashCost).toBe(10);
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: '4' }).passwordHashCost).toBe(4);
    expect(loadConfig({ ...PRODUCTION, PASSWORD_HASH_COST: '12' }).passwordHashCost).toBe(12);
    for (const wrong of ['9', '4', '16', 'ten'])
      expect(() => loadConfig({ ...PRODUCTION, PASSWORD_HASH_COST: wrong })).toThrow(
        /PASSWORD_HASH_COST must be a whole number from 10 to 15/,
      );
  });

  it('requires the database, Redis, mail and the sealing certificate to be named in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL is required[\s\S]*REDIS_URL is required[\s\S]*SEAL_P12_PATH is required[\s\S]*SMTP_URL is required[\s\S]*TSA_URL is required/,
    );
    expect(() => loadConfig({ TSA_URL: 'ftp://tsa.example.jp' })).toThrow(/TSA_URL must use http: or https:/);
    expect(loadConfig({ TSA_URL: 'https://user:secret@tsa.example.jp/tsa' }).tsaUrl).toBe('https://user:secret@tsa.example.jp/tsa');
    expect(() => loadConfig(PRODUCTION)).not.toThrow();
  });

  it('refuses production without a timestamping authority unless SEAL_WITHOUT_TSA=1 says so', () => {
    const production = { ...PRODUCTION, TSA_URL: '' };
    expect(() => loadConfig(production)).toThrow(/TSA_URL is required when NODE_ENV=production[\s\S]*SEAL_WITHOUT_TSA=1/);
    expect(() => loadConfig({ ...production, SEAL_WITHOUT_TSA: 'yes' })).toThrow(/TSA_URL is required/);
    expect(loadConfig({ ...production, SEAL_WITHOUT_TSA: '1' }).tsaUrl).toBeNull();
    expect(loadConfig({ NODE_ENV: 'development' }).archiveRenewDays).toBe(365);
    expect(() => loadConfig({ ARCHIVE_RENEW_DAYS: '0' })).toThrow(/ARCHIVE_RENEW_DAYS/);
  });
});
