import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import { csrfSlots, withCsrfToken } from '../../src/web/csrf-slots';
import { KeptPages, joinWithToken } from '../../src/web/kept-pages';
import { keptPageKey } from '../../src/web/signing-page.view';
import { WebViews } from '../../src/web/web.views';

const PAGE =
  '<html><head><title>署名</title></head><body><p>個人情報の利用に同意します。</p>' +
  '<form method="post" action="/sign/x"><button>署名する</button></form>' +
  '<form action="/q" method="get"></form><form class="d" METHOD=POST></form></body></html>';

/** What a Fastify reply does with a page, kept to look at: the request behind it, and the body sent. */
function fakeReply(request: { cookies: Record<string, string>; user?: { name: string; role: string } }) {
  const reply = {
    request: { method: 'GET', url: '/sign/abc', protocol: 'http', ...request },
    body: null as string | Buffer | null,
    setCookie: () => reply,
    status: () => reply,
    type: () => reply,
    header: () => reply,
    send: (body: string | Buffer) => {
      reply.body = body;
      return reply;
    },
  };
  return reply;
}

describe('kept pages', () => {
  it('join their bytes with the token exactly as the page is written with it (Japanese text, several forms)', () => {
    const kept = new KeptPages(10).set('p', csrfSlots(PAGE));
    expect(joinWithToken(kept, 'TOKEN-1').toString()).toBe(withCsrfToken(PAGE, 'TOKEN-1'));
    expect(joinWithToken(kept, 'TOKEN-2').toString()).toBe(withCsrfToken(PAGE, 'TOKEN-2'));
    expect(withCsrfToken(PAGE, 'T').match(/name="_csrf" value="T"/g)).toHaveLength(2);
  });

  it('keep at most their capacity, dropping the one used longest ago', () => {
    const pages = new KeptPages(2);
    pages.set('a', ['A']);
    pages.set('b', ['B']);
    pages.get('a'); // a is now used more recently than b
    pages.set('c', ['C']);
    expect(pages.size).toBe(2);
    expect(pages.get('b')).toBeUndefined();
    expect(pages.get('a')?.toString()).toBe('A');
    expect(pages.get('c')?.toString()).toBe('C');
  });

  it('are sent as `send` would send them, each browser with its own token, and never kept for a logged-in user', () => {
    const views = new WebViews();
    const context = { title: '辞退しました', message: '記録しました。', help: null };
    const bodies = ['browser-1', 'browser-2', 'browser-1'].map((cookie) => {
      const kept = fakeReply({ cookies: { renkei_csrf: cookie } });
      views.sendKept(kept as unknown as FastifyReply, 200, 'sign-message', 'k', () => context);
      const sent = fakeReply({ cookies: { renkei_csrf: cookie } });
      views.send(sent as unknown as FastifyReply, 200, 'sign-message', context);
      expect(kept.body?.toString()).toBe(sent.body);
      return kept.body?.toString();
    });
    expect(bodies[0]).not.toBe(bodies[1]);
    expect(bodies[2]).toBe(bodies[0]);

    // A member of staff who opens a family's link sees their own menu, never a page kept for someone else.
    const staff = fakeReply({ cookies: { renkei_csrf: 'browser-1' }, user: { name: '事務 花子', role: 'office_staff' } });
    views.sendKept(staff as unknown as FastifyReply, 200, 'sign-message', 'k', () => context);
    expect(String(staff.body)).toContain('事務 花子');
  });
});

describe("a signing page's key", () => {
  const page: Parameters<typeof keptPageKey>[0] = {
    document: {
      id: 'd1',
      number: 'RURUME-000001',
      networkId: 'rurume',
      formId: 'patient-consent',
      officeId: 'o1',
      status: 'issued',
      formTitle: '同意書',
      formNumber: '別紙3',
      version: { id: 'v1', data: {} },
    },
    role: { role: 'family1', label: '患者家族1', required: true, kind: 'family' },
    signer: { name: '署名 健太', relation: '長男' },
    urls: { action: '/sign/t', previewUrl: '/sign/t/document', purposeUrl: null, declineAction: '/sign/t/decline' },
    reading: new Handlebars.SafeString(''),
    inPerson: false,
    kiosk: false,
  };

  it('changes with anything the page shows (a page kept for one state is never shown for another)', () => {
    const key = keptPageKey(page, 'v1');
    expect(keptPageKey({ ...page }, 'v1')).toBe(key);
    expect(keptPageKey(page, 'v2')).not.toBe(key);
    const changed = [
      ...Object.keys(page.document)
        .filter((field) => field !== 'version')
        .map((field) => ({ ...page, document: { ...page.document, [field]: 'other' } })),
      ...Object.keys(page.role).map((field) => ({ ...page, role: { ...page.role, [field]: 'other' } })),
      ...Object.keys(page.signer).map((field) => ({ ...page, signer: { ...page.signer, [field]: 'other' } })),
      ...Object.keys(page.urls).map((field) => ({ ...page, urls: { ...page.urls, [field]: 'other' } })),
      { ...page, inPerson: true },
      { ...page, kiosk: true },
    ];
    for (const other of changed) expect(keptPageKey(other, 'v1')).not.toBe(key);
  });
});
