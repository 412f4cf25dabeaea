import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../src/common/hash';
import { NetworksService } from '../src/networks/networks.service';
import { TestStack, startStack } from './support/test-app';
import { waitUntil } from './support/wait';

/**
 * The family's signing page keeps the rows of links being opened (signing.repository.ts) and drops a
 * document's when PostgreSQL announces a change to it. These tests make the copy wrong on purpose — a change
 * with the triggers off (`session_replication_role = replica`), or the listener's session frozen or killed —
 * to show what keeps the page right: the announcement, the pooled sessions that hear this process's own
 * changes, the 暗証番号 cookie, and the reset when the listener's session is lost.
 */
describe('the signing page’s kept links, and what drops them', () => {
  let stack: TestStack;
  let db: DataSource;
  /** Another process's session: its changes reach the API only through the announcement. */
  let outside: Client;
  let officeId: string;
  let count = 0;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
    outside = new Client({ connectionString: (db.options as { url: string }).url });
    await outside.connect();
    [{ id: officeId }] = await db.query(
      `INSERT INTO office (network_id, name, phone) VALUES ('rurume', 'キャッシュ事業所', '03-0000-0000') RETURNING id`,
    );
    // The API starts listening when a page first asks for a kept link; until it listens, it keeps nothing.
    await stack.http.get(`/sign/${randomBytes(24).toString('base64url')}`).expect(404);
    await waitUntil(listenerPid, 10_000, 'the listening session');
  });
  afterAll(async () => {
    await outside?.end();
    await stack?.close();
  });

  /** An open rurume consent with one e-mailed signer; its link's token, and the ids behind it. */
  async function openLink(accessCodeHash: string | null = null) {
    const sample = stack.app.get(NetworksService).getForm('rurume', 'patient-consent').form.sample;
    const [doc] = await db.query(
      `INSERT INTO document (number, network_id, form_id, office_id, subject_type, status)
       VALUES ($1, 'rurume', 'patient-consent', $2, 'patient', 'issued') RETURNING id`,
      [`CACHE-${++count}`, officeId],
    );
    await db.query(`INSERT INTO document_version (document_id, version, data) VALUES ($1, 1, $2)`, [doc.id, JSON.stringify(sample)]);
    const [request] = await db.query(
      `INSERT INTO signing_request (document_id, office_id, status, expires_at) VALUES ($1, $2, 'open', now() + interval '1 day') RETURNING id`,
      [doc.id, officeId],
    );
    const token = randomBytes(24).toString('base64url');
    const [signer] = await db.query(
      `INSERT INTO signer (request_id, role, role_label, position, name, method, status, token_hash, access_code_hash, viewed_at)
       VALUES ($1, 'family1', '患者家族1', 0, '署名 健太', 'email', 'pending', $2, $3, now()) RETURNING id`,
      [request.id, sha256Hex(token), accessCodeHash],
    );
    return { page: `/sign/${token}`, requestId: request.id as string, signerId: signer.id as string };
  }

  /** What the page shows: the form to sign, the 暗証番号 page, or a refusal (with its status). */
  async function shown(page: string, cookie?: string): Promise<string> {
    const response = await (cookie ? stack.http.get(page).set('Cookie', cookie) : stack.http.get(page));
    if (response.status !== 200) return `refused ${response.status}`;
    return response.text.includes('name="code"') ? 'pin' : response.text.includes('name="typedName"') ? 'form' : 'other';
  }

  /** A change no trigger announces (as if a notification were lost): the kept copy is now wrong. */
  async function unannounced(sql: string, values: unknown[]): Promise<void> {
    await outside.query(`SET session_replication_role = replica`);
    try {
      await outside.query(sql, values);
    } finally {
      await outside.query(`SET session_replication_role = DEFAULT`);
    }
  }

  /** The PostgreSQL process of this API's listening session, once its first probe came back (null: none yet). */
  async function listenerPid(): Promise<number | null> {
    const [row] = await db.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'renkei listen signing_link_changed'
          AND state = 'idle' AND query LIKE 'SELECT pg_notify%'`,
    );
    return row?.pid ?? null;
  }

  const cancel = `UPDATE signing_request SET status = 'cancelled' WHERE id = $1`;

  it('serves a link from its copy until a change is announced, and drops it when another process’s change commits', async () => {
    const link = await openLink();
    expect(await shown(link.page)).toBe('form');
    await unannounced(cancel, [link.requestId]);
    expect(await shown(link.page)).toBe('form'); // the copy: without an announcement, nothing tells this API

    await outside.query(cancel, [link.requestId]); // the same change, announced as it commits
    await waitUntil(async () => (await shown(link.page)) === 'refused 410', 5_000, 'the announced change (copies are kept 60 s)', 10);
  });

  it('shows a change this process made at once, even while its listening session hears nothing', async () => {
    const link = await openLink();
    expect(await shown(link.page)).toBe('form');
    const pid = await listenerPid();
    expect(pid).not.toBeNull();
    // Frozen, the listening session delivers nothing: only the pooled session that made the change tells.
    process.kill(pid!, 'SIGSTOP');
    try {
      await db.query(cancel, [link.requestId]);
      expect(await shown(link.page)).toBe('refused 410');
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
  });

  it('reads the link again for a browser whose 暗証番号 cookie the copy does not know (it passed on another API)', async () => {
    const link = await openLink('$2a$04$notarealhashbutnotnullxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
    expect(await shown(link.page)).toBe('pin');
    const secret = randomBytes(24).toString('base64url');
    await unannounced(`UPDATE signer SET access_session_hash = $2 WHERE id = $1`, [link.signerId, sha256Hex(secret)]);
    expect(await shown(link.page, `renkei_sign_${link.signerId}=${secret}`)).toBe('form');
    expect(await shown(link.page, `renkei_sign_${link.signerId}=${randomBytes(24).toString('base64url')}`)).toBe('pin');
    expect(await shown(link.page)).toBe('pin');
  });

  it('drops every copy when its listening session is lost, and keeps them again once it listens anew', async () => {
    const link = await openLink();
    expect(await shown(link.page)).toBe('form');
    const before = await listenerPid();
    await db.query(`SELECT pg_terminate_backend($1)`, [before]);
    await unannounced(cancel, [link.requestId]); // missed: no session was listening
    await waitUntil(async () => (await shown(link.page)) === 'refused 410', 10_000, 'the page without its copy');
    const after = await waitUntil(async () => (await listenerPid()) ?? 0, 10_000, 'a new listening session');
    expect(after).not.toBe(before);
    expect(await shown(link.page)).toBe('refused 410'); // the copy from before the loss did not come back

    const next = await openLink();
    expect(await shown(next.page)).toBe('form');
    await waitUntil(
      async () => {
        await unannounced(cancel, [next.requestId]);
        return (await shown(next.page)) === 'form';
      },
      10_000,
      'a copy kept again',
    );
  });
});
