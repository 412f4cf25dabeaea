import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createOfficeWithManager } from './support/factories';
import { pngChunk, signaturePng } from './support/png';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, formToken, startStack } from './support/test-app';

/** A PNG with this header and these IDAT bytes (for images no signature pad would ever send). */
function png(width: number, height: number, idat: Buffer, header: { depth?: number; color?: number; interlace?: number } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([header.depth ?? 8, header.color ?? 6, 0, 0, header.interlace ?? 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;
const pixels = (url: string) => PNG.sync.read(Buffer.from(url.split(',')[1], 'base64'));

describe('attack run: 暗証番号, the PIN cookie and signature images', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let db: DataSource;
  let office: Agent;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    db = stack.app.get(DataSource);
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  const ADDRESS = '東京都東久留米市暗証町9-9-9';

  /** An issued consent sent for signing; returns the request and each e-mailed link by role. */
  async function consentSentTo(signers: Array<Record<string, unknown>>) {
    const patient = await office
      .post('/api/patients')
      .send({ name: '暗証 ハル', address: ADDRESS, family: [{ name: '暗証 健太', relation: '長男' }] })
      .expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const { body } = await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({ signers: [...signers, { role: 'explainer', name: '説明 看護師', method: 'in_person' }] })
      .expect(201);
    const links: Record<string, string> = {};
    for (const s of signers.filter((x) => x.method !== 'in_person')) {
      links[s.role as string] = linkIn(await smtp.waitFor((m) => m.to === s.email), '/sign/');
    }
    const id = (role: string) => (body.signers as Array<{ id: string; role: string }>).find((s) => s.role === role)!.id;
    return { request: body as { id: string }, links, id };
  }

  async function auditCount(signerId: string, action: string): Promise<number> {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM audit_event WHERE target_id = $1 AND action = $2`, [
      signerId,
      action,
    ]);
    return count;
  }

  it('40 wrong 暗証番号 sent at once: exactly five are checked, then the link is locked (re-sending unlocks it)', async () => {
    const email = 'race@example.jp';
    const {
      request: req,
      links,
      id,
    } = await consentSentTo([{ role: 'family1', name: '暗証 健太', relation: '長男', method: 'email', email, accessCode: '2468' }]);
    const link = links.family1;
    // One browser (its pages carry the CSRF token), 40 guesses at once.
    const guesser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await guesser.get(link).expect(200)).text);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => guesser.post(`${link}/pin`).type('form').send({ code: '1111', _csrf })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(4); // 「あと n 回」
    expect(statuses.filter((s) => s === 423)).toHaveLength(36); // the fifth, and every one after it
    expect(await auditCount(id('family1'), 'access_code_failed')).toBe(4);
    expect(await auditCount(id('family1'), 'access_code_locked')).toBe(1);
    const [signer] = await db.query(`SELECT access_failures FROM signer WHERE id = $1`, [id('family1')]);
    expect(signer.access_failures).toBe(5);
    // Locked, even against the right one; the page says so at once.
    await guesser.post(`${link}/pin`).type('form').send({ code: '2468', _csrf }).expect(423);
    expect((await stack.http.get(link).expect(423)).text).toContain('ロックされました');

    // The office re-sends the link, as the page tells the family to ask: the new link starts afresh.
    await office.post(`/api/signing/${req.id}/signers/${id('family1')}/resend`).expect(201);
    const fresh = linkIn(await smtp.waitFor((m) => m.to === email && !m.text.includes(link)), '/sign/');
    const family = request.agent(stack.app.getHttpServer());
    const token = formToken((await family.get(fresh).expect(200)).text);
    await family.post(`${fresh}/pin`).type('form').send({ code: '2468', _csrf: token }).expect(303);
    expect((await family.get(`${fresh}/document`).expect(200)).text).toContain(ADDRESS);
  });

  it('a made-up PIN cookie shows nothing: only the secret the 暗証番号 granted opens the document', async () => {
    const { links, id } = await consentSentTo([
      { role: 'family1', name: '暗証 健太', relation: '長男', method: 'email', email: 'cookie1@example.jp', accessCode: '1357' },
      { role: 'family2', name: '暗証 花', relation: '長女', method: 'email', email: 'cookie2@example.jp', accessCode: '8642' },
    ]);
    const link = links.family1;
    const attacker = (cookie: string) => (path: string) => stack.http.get(path).set('Cookie', cookie);
    // The attacker's own browser has a valid CSRF cookie and token: only the made-up PIN cookie is wrong.
    const opened = await stack.http.get(link).expect(200);
    const csrfCookie = String(opened.headers['set-cookie']).split(';')[0];
    const _csrf = formToken(opened.text);
    for (const value of ['x', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '1']) {
      const as = attacker(`renkei_sign_${id('family1')}=${value}`);
      const page = await as(link).expect(200);
      expect(page.text).toContain('暗証番号の入力');
      expect(page.text).not.toContain(ADDRESS);
      const document = await as(`${link}/document`).expect(401);
      expect(document.text).toContain('暗証番号を入力してください');
      expect(document.text).not.toContain(ADDRESS);
      const signed = await stack.http
        .post(link)
        .set('Cookie', `${csrfCookie}; renkei_sign_${id('family1')}=${value}`)
        .type('form')
        .send({ consent: 'on', signatureKind: 'typed', typedName: '暗証 健太', relation: '長男', _csrf })
        .expect(401);
      expect(signed.text).toContain('暗証番号を入力してください');
    }
    // The real secret of one signer does not open another signer's link.
    const family2 = request.agent(stack.app.getHttpServer());
    const token2 = formToken((await family2.get(links.family2).expect(200)).text);
    const granted = await family2.post(`${links.family2}/pin`).type('form').send({ code: '8642', _csrf: token2 }).expect(303);
    const secret = /renkei_sign_[^=]+=([^;]+)/.exec(String(granted.headers['set-cookie']))![1];
    await attacker(`renkei_sign_${id('family1')}=${secret}`)(`${link}/document`).expect(401);
    expect((await family2.get(`${links.family2}/document`).expect(200)).text).toContain(ADDRESS);
    const [row] = await db.query(`SELECT status FROM signer WHERE id = $1`, [id('family1')]);
    expect(row.status).toBe('pending');
  });

  describe('signature images', () => {
    let requestId: string;
    let explainer: string;
    let linkPage: string;

    beforeAll(async () => {
      const sent = await consentSentTo([
        { role: 'family1', name: '画像 健太', relation: '長男', method: 'email', email: 'image@example.jp' },
      ]);
      requestId = sent.request.id;
      explainer = sent.id('explainer');
      linkPage = sent.links.family1;
    });

    const signInPerson = (signatureImage: string) =>
      office
        .post(`/api/signing/${requestId}/signers/${explainer}/in-person`)
        .send({ consent: true, signatureKind: 'drawn', signatureImage });

    it('refuses, before decoding, an image larger than 2000 × 1000 (a 12000 × 12000 PNG of a few kB)', async () => {
      const tooLarge = [
        { path: 'signatureImage', label: '署名', message: '署名の画像が大きすぎます（12000×12000）。幅2000×高さ1000ピクセルまでです' },
      ];
      const huge = png(12000, 12000, deflateSync(Buffer.alloc(12000 * 1501)), { depth: 1, color: 0 });
      expect(huge.length).toBeLessThan(100_000);
      expect((await signInPerson(dataUrl(huge)).expect(400)).body.errors).toEqual(tooLarge);
      // Before decoding: the same header over bytes that would not even inflate is refused for its size, not its bytes.
      const undecodable = png(12000, 12000, Buffer.from('not deflate at all'), { depth: 1, color: 0 });
      expect((await signInPerson(dataUrl(undecodable)).expect(400)).body.errors).toEqual(tooLarge);
      await signInPerson(dataUrl(png(2001, 10, deflateSync(Buffer.alloc(10 * 8005))))).expect(400);
    });

    it('refuses bytes after a PNG header that do not decode, and what merely has "PNG" in it', async () => {
      const header = png(200, 80, Buffer.alloc(0)).subarray(0, 33); // signature and a valid IHDR
      const cases = [
        Buffer.concat([header, Buffer.from('<script>alert(1)</script>'.repeat(20))]),
        Buffer.concat([Buffer.from('XPNG'), Buffer.alloc(300, 0x41)]),
        png(200, 80, Buffer.from('not deflate at all, just text after the header')),
        png(200, 80, deflateSync(Buffer.alloc(10))), // too few pixels for its size
        png(200, 80, deflateSync(Buffer.alloc(81 * 200 * 4)), { interlace: 1 }),
      ];
      for (const bytes of cases) {
        const { body } = await signInPerson(dataUrl(bytes)).expect(400);
        expect(body.errors).toEqual([
          {
            path: 'signatureImage',
            label: '署名',
            message: expect.stringMatching(/署名の画像を読み取れませんでした|指で署名してください/),
          },
        ]);
      }
      // The family's page answers the same, beside the signature field.
      const family = request.agent(stack.app.getHttpServer());
      const _csrf = formToken((await family.get(linkPage).expect(200)).text);
      const page = await family
        .post(linkPage)
        .type('form')
        .send({ consent: 'on', signatureKind: 'drawn', signatureImage: dataUrl(cases[0]), relation: '長男', _csrf })
        .expect(400);
      expect(page.text).toContain('署名の画像を読み取れませんでした。もう一度署名してください');
      const [row] = await db.query(`SELECT status FROM signer WHERE id = $1`, [explainer]);
      expect(row.status).toBe('pending');
    });

    it('keeps only the pixels: a signature carrying a hidden chunk is stored re-encoded, one with a trailer refused', async () => {
      const drawn = Buffer.from(signaturePng(2000, 1000).split(',')[1], 'base64');
      const trailer = Buffer.concat([drawn, Buffer.from('%PDF-1.7 hidden payload <script>')]);
      await signInPerson(dataUrl(trailer)).expect(400);
      const text = Buffer.from('Comment\0<script>hidden payload</script>', 'latin1');
      const smuggled = Buffer.concat([drawn.subarray(0, 33), pngChunk('tEXt', text), drawn.subarray(33)]);
      expect(PNG.sync.read(smuggled).width).toBe(2000); // a valid PNG, as any viewer shows it
      await signInPerson(dataUrl(smuggled)).expect(201);
      const [row] = await db.query(`SELECT signature_image FROM signer WHERE id = $1`, [explainer]);
      const stored = Buffer.from(row.signature_image.split(',')[1], 'base64');
      expect(stored.includes('hidden payload')).toBe(false);
      expect(stored.includes('tEXt')).toBe(false);
      const image = pixels(row.signature_image);
      expect([image.width, image.height]).toEqual([2000, 1000]);
      expect(image.data.equals(pixels(dataUrl(drawn)).data)).toBe(true);
    });
  });
});
