import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { TargetError, postTo, resolveTarget, urlProblem } from '../../src/integrations/webhook-target';

const strict = { allowPrivate: false, httpsOnly: true };

describe('webhook targets', () => {
  it.each([
    'https://127.0.0.1/hook',
    'https://10.1.2.3/hook',
    'https://172.16.0.9/hook',
    'https://192.168.1.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://[::1]/hook',
    'https://[fe80::1]/hook',
    'https://[fd00::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://localhost/hook',
  ])('refuses %s: loopback, private and link-local addresses', async (url) => {
    await expect(resolveTarget(url, strict)).rejects.toThrow(TargetError);
  });

  it('takes a public address, and connects to the address it checked', async () => {
    await expect(resolveTarget('https://93.184.216.34/hook', strict)).resolves.toMatchObject({ address: '93.184.216.34', family: 4 });
  });

  it('wants https in production, allows http only with WEBHOOK_ALLOW_PRIVATE, and no credentials in the URL', () => {
    expect(urlProblem('http://93.184.216.34/hook', strict)).toContain('https');
    expect(urlProblem('http://127.0.0.1/hook', { allowPrivate: true, httpsOnly: true })).toBeNull();
    expect(urlProblem('ftp://example.jp/x', { allowPrivate: true, httpsOnly: false })).toContain('https');
    expect(urlProblem('https://user:pw@example.jp/x', strict)).toContain('パスワード');
    expect(urlProblem('not a url', strict)).toContain('形式');
  });

  it('follows no redirect and gives up after the time-out', async () => {
    let hits = 0;
    const server = createServer((request, response) => {
      hits++;
      if (request.url === '/slow') return; // never answers
      response.writeHead(302, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const open = { allowPrivate: true, httpsOnly: false };
      const redirected = await postTo(await resolveTarget(`http://127.0.0.1:${port}/x`, open), {}, '{}', 2000);
      expect(redirected.statusCode).toBe(302);
      expect(hits).toBe(1);
      const slow = await postTo(await resolveTarget(`http://127.0.0.1:${port}/slow`, open), {}, '{}', 300);
      expect(slow).toMatchObject({ statusCode: null, error: expect.stringContaining('300 ms') });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
