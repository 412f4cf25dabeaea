import { loggedUrl, requestLog } from '../../src/common/request-log';

describe('the request log', () => {
  it('keeps ids and drops link tokens and the query', () => {
    const token = 'Qm9xX2xpbmtfdG9rZW5fMTIzNDU2Nzg5MA';
    expect(loggedUrl(`/sign/${token}`)).toBe('/sign/…');
    expect(loggedUrl(`/sign/${token}/pin`)).toBe('/sign/…/pin');
    expect(loggedUrl(`/download/${token}?x=1`)).toBe('/download/…');
    expect(loggedUrl('/documents/0b5c8f0e-8d0a-4c1e-9a51-3f7d2a9b6c11/issue')).toBe(
      '/documents/0b5c8f0e-8d0a-4c1e-9a51-3f7d2a9b6c11/issue',
    );
    expect(loggedUrl('/office/patients?q=山田 花子')).toBe('/office/patients');
    expect(loggedUrl('/secretariat/offices/follow-up')).toBe('/secretariat/offices/follow-up');
  });

  it('writes one line per request with its status and time at info, none for /health nor at warn', () => {
    const lines: unknown[] = [];
    const logger = { log: (line: unknown) => lines.push(line), error: () => {}, warn: () => {} };
    const hook = requestLog(logger, 'info');
    const reply = { statusCode: 200, elapsedTime: 3.4 };
    hook({ id: 'req-1', method: 'GET', url: '/sign/Qm9xX2xpbmtfdG9rZW5fMTIzNDU2Nzg5MA' } as never, reply as never, () => {});
    hook({ id: 'req-2', method: 'GET', url: '/health' } as never, reply as never, () => {});
    requestLog(logger, 'warn')({ id: 'req-3', method: 'GET', url: '/login' } as never, reply as never, () => {});
    expect(lines).toEqual([
      { msg: 'request completed', req: { id: 'req-1', method: 'GET', url: '/sign/…' }, res: { statusCode: 200 }, responseTime: 3 },
    ]);
  });
});
