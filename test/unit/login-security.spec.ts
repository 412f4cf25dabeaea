import { createHmac } from 'node:crypto';
import {
  dummyHash,
  hashPassword,
  isCommonPassword,
  passwordProblem,
  usePasswordHashCost,
  verifyPassword,
} from '../../src/accounts/passwords';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUrl, totpCode } from '../../src/accounts/totp';
import { ConfigError, loadConfig } from '../../src/config/env';
import { withCsrfToken } from '../../src/web/csrf-slots';

describe('TOTP (RFC 6238 on node:crypto)', () => {
  // RFC 6238 appendix B: SHA-1, secret "12345678901234567890", 8 digits; the 6-digit code is its last six.
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('at %i s gives the RFC’s code %s', (seconds, code) => {
    expect(totpCode(secret, seconds * 1000)).toBe(code.slice(-6));
  });

  it('computes HOTP as RFC 4226 (appendix D)', () => {
    const key = Buffer.from('12345678901234567890');
    expect([0, 1, 2, 9].map((c) => hotp(key, c))).toEqual(['755224', '287082', '359152', '520489']);
    // and its truncation is HMAC-SHA1's dynamic truncation, not a library's
    const digest = createHmac('sha1', key).update(Buffer.alloc(8)).digest();
    expect(digest.readUInt32BE(digest[19] & 0xf) & 0x7fffffff).toBe(1284755224);
  });

  it('round-trips base32, forgiving spaces, hyphens and lower case', () => {
    const bytes = Buffer.from('any bytes \u0000\u00ff at all');
    const text = base32Encode(bytes);
    expect(text).toMatch(/^[A-Z2-7]+$/);
    expect(base32Decode(text.toLowerCase().replace(/(.{4})/g, '$1 '))).toEqual(bytes);
    expect(() => base32Decode('not base32!')).toThrow();
  });

  it('accepts the step before and after, not two away, and says which step matched', () => {
    const now = 1_800_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, now - 60_000), now)).toBeNull();
    expect(matchTotp(secret, '12345', now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
  });

  it('writes the otpauth URL authenticator apps read', () => {
    const url = new URL(otpauthUrl('JBSWY3DPEHPK3PXP', 'manager@example.jp', '連携様式サービス'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/連携様式サービス:manager@example.jp');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: '連携様式サービス',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('password rule', () => {
  it('hashes at the configured work factor, and answers an unknown account against a hash of the same factor', async () => {
    try {
      usePasswordHashCost(5);
      const hash = await hashPassword('kakunin-2026');
      expect(hash).toMatch(/^\$2[ab]\$05\$/);
      expect(dummyHash()).toMatch(/^\$2[ab]\$05\$/);
      usePasswordHashCost(4);
      expect(dummyHash()).toMatch(/^\$2[ab]\$04\$/);
      // A hash keeps its own factor: one made before the change still verifies.
      await expect(verifyPassword('kakunin-2026', hash)).resolves.toBe(true);
      await expect(verifyPassword('kakunin-2027', hash)).resolves.toBe(false);
    } finally {
      usePasswordHashCost(10);
    }
  });

  it('refuses more than 72 bytes plainly (bcrypt would ignore the rest), counting bytes, not characters', () => {
    expect(passwordProblem('Kp2mQ9x7'.repeat(9))).toBeNull(); // 72 bytes
    expect(passwordProblem('Kp2mQ9x7'.repeat(9) + 'z')).toMatch(/72バイト以内/);
    expect(passwordProblem('連携様式' + 'Kp2mQ9x7'.repeat(8))).toMatch(/72バイト以内/); // 12 + 64 bytes, 68 characters
  });

  it('refuses common passwords, with digits around them, in look-alike spelling, and near-repetitions', () => {
    for (const password of ['password1', 'Passw0rd!', 'P@ssw0rd2024', 'qwerty123', '1qaz2wsx', 'sakura2024', 'tanaka1985', 'aaaaaaa1']) {
      expect([password, isCommonPassword(password)]).toEqual([password, true]);
      expect(passwordProblem(password)).toMatch(/よく使われている/);
    }
    for (const password of ['renkei-demo-2026', 'test-pass-2026', 'x7Kp2mQ9', 'kurume-houkan-7-yoshida']) {
      expect([password, passwordProblem(password)]).toEqual([password, null]);
    }
  });
});

describe('log-in configuration', () => {
  it('asks for two factors in production unless told otherwise, and not in development or tests unless set', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/r', REDIS_URL: 'redis://r:6379' };
    const required = {
      ...production,
      SMTP_URL: 'smtp://mail:25',
      PUBLIC_URL: 'https://renkei.example.jp',
      SEAL_DEV_CERTIFICATE: '1',
      SEAL_WITHOUT_TSA: '1',
    };
    expect(loadConfig(required).mfaRequired).toBe(true);
    expect(loadConfig({ ...required, MFA_REQUIRED: '0' }).mfaRequired).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).mfaRequired).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).mfaRequired).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', MFA_REQUIRED: 'true' }).mfaRequired).toBe(true);
    expect(() => loadConfig({ MFA_REQUIRED: 'maybe' })).toThrow(/MFA_REQUIRED must be 1 or 0/);
  });

  it('reads the session lifetime and the proxies whose X-Forwarded-For counts', () => {
    expect(loadConfig({}).sessionMaxHours).toBe(12);
    expect(loadConfig({}).trustProxy).toBeNull();
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 192.168.0.0/16,loopback' }).trustProxy).toEqual(['10.0.0.5', '192.168.0.0/16', 'loopback']);
    try {
      loadConfig({ TRUST_PROXY: 'everyone', SESSION_MAX_HOURS: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        /SESSION_MAX_HOURS[\s\S]*TRUST_PROXY must list proxy addresses or CIDRs separated by commas \(got "everyone"\)/,
      );
    }
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY/);
  });
});

describe('CSRF token in rendered pages', () => {
  it('goes into every form that posts, whatever its attributes, and not into GET forms', () => {
    const page =
      '<html><head><title>t</title></head><body>' +
      '<form method="post" action="/a"><button>a</button></form>' +
      '<form class="x" action="/b" METHOD=POST enctype="multipart/form-data"></form>' +
      "<form action='/c' method='get'></form></body></html>";
    const out = withCsrfToken(page, 'TOKEN');
    expect(out.match(/<input type="hidden" name="_csrf" value="TOKEN">/g)).toHaveLength(2);
    expect(out).toContain('<form method="post" action="/a"><input type="hidden" name="_csrf" value="TOKEN">');
    expect(out).toContain("<form action='/c' method='get'></form>");
    expect(out).toContain('<meta name="csrf-token" content="TOKEN">\n</head><body>');
    expect(out.match(/csrf-token/g)).toHaveLength(1);
    expect(withCsrfToken('<p>no head</p>', 'TOKEN')).toBe('<p>no head</p>');
  });
});
