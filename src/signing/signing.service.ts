import { randomBytes } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager, IsNull, LessThan } from 'typeorm';
import { hashPassword, verifyPassword } from '../accounts/passwords';
import { CurrentUser, isOfficeUser } from '../accounts/current-user';
import { OfficeEntity } from '../accounts/office.entity';
import { UserEntity } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { JOB_IDS, SIGNING_QUEUE } from '../common/queues';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { formatJst } from '../common/japan-date';
import { DocumentSummary, DocumentsService } from '../documents/documents.service';
import { MailOutboxEntity } from '../mail/mail-outbox.entity';
import { MailKind, MailService } from '../mail/mail.service';
import { SignerRole } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { isUuid, looksLikeEmail } from '../common/validation';
import { BatchedLookup } from '../database/batched-lookup';
import { preparedQuery } from '../database/data-source';
import { SignerEntity, SigningRequestEntity } from './signing.entities';

export const MAX_ACCESS_CODE_FAILURES = 5;

/**
 * Sealing outlasts a timestamping authority's outage rather than giving up: retries after 2 s, 4 s, …
 * then every 10 minutes, about 8 hours in all (the signing processor applies the 'seal' backoff).
 */
export const SEAL_ATTEMPTS = 55;
export const sealRetryDelay = (attemptsMade: number) => Math.min(2000 * 2 ** Math.max(0, attemptsMade - 1), 600_000);
const MAX_SIGNATURE_BYTES = 300_000;

export interface SignerInput {
  role?: unknown;
  name?: unknown;
  email?: unknown;
  relation?: unknown;
  method?: unknown;
  accessCode?: unknown;
}

export interface SignatureInput {
  consent?: unknown;
  signatureKind?: unknown;
  signatureImage?: unknown;
  typedName?: unknown;
  relation?: unknown;
  proxyReason?: unknown;
}

export type SigningJob = { kind: 'seal'; requestId: string } | { kind: 'remind'; signerId: string } | { kind: 'expire'; requestId: string };

/** What a signing link opens: the signer, their request and the document. */
export interface OpenedLink {
  signer: SignerEntity;
  request: SigningRequestEntity;
  document: DocumentSummary;
  role: SignerRole;
  needsAccessCode: boolean;
}

/** The row of the signing-link query: the signer, their request, the document and its latest data. */
interface OpenLinkRow {
  token_hash: string;
  id: string;
  request_id: string;
  role: string;
  role_label: string;
  position: number;
  name: string;
  email: string | null;
  relation: string | null;
  method: SignerEntity['method'];
  status: SignerEntity['status'];
  access_code_hash: string | null;
  access_failures: number;
  access_session_hash: string | null;
  viewed_at: Date | null;
  request_status: SigningRequestEntity['status'];
  ordered: boolean;
  expires_at: Date;
  document_id: string;
  office_id: string;
  number: string;
  network_id: string;
  form_id: string;
  document_status: DocumentSummary['status'];
  data: Record<string, unknown>;
}

const newToken = () => randomBytes(24).toString('base64url'); // 192 bits

/**
 * Signing requests: who signs a document, by e-mailed link or in person, in order or not; links are
 * single-use, stored only as hashes, expire, and can be re-sent (which kills the old one).
 */
@Injectable()
export class SigningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(SIGNING_QUEUE) private readonly queue: Queue<SigningJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  // One prepared query, shared by links opened at the same moment: this page is what every family member
  // opens, often many at once.
  private readonly links = new BatchedLookup<OpenLinkRow>(
    (tokenHashes) =>
      preparedQuery<OpenLinkRow>(
        this.dataSource,
        'open-signing-links',
        `SELECT s.token_hash, s.id, s.request_id, s.role, s.role_label, s.position, s.name, s.email, s.relation, s.method, s.status,
                s.access_code_hash, s.access_failures, s.access_session_hash, s.viewed_at,
                r.status AS request_status, r.ordered, r.expires_at, r.document_id, r.office_id,
                d.number, d.network_id, d.form_id, d.status AS document_status, v.data
           FROM signer s
           JOIN signing_request r ON r.id = s.request_id
           JOIN document d ON d.id = r.document_id
           JOIN LATERAL (SELECT data FROM document_version WHERE document_id = d.id ORDER BY version DESC LIMIT 1) v ON true
          WHERE s.token_hash = ANY($1::char(64)[])`,
        [tokenHashes],
      ),
    (row) => row.token_hash,
  );

  async create(user: CurrentUser, documentId: string, input: { signers?: SignerInput[]; ordered?: unknown }, origin: RequestOrigin | null) {
    const document = await this.documents.writable(user, documentId, origin);
    const { form } = this.networks.getForm(document.networkId, document.formId);
    if (!form.signed) throw new DomainError('INVALID_STATE', `${form.title}は署名する様式ではありません`);
    if (document.status !== 'issued') throw new DomainError('INVALID_STATE', `${document.number} は「発行済」のときだけ署名を依頼できます`);
    const signers = await this.validateSigners(form.signers, input.signers);
    const ordered = input.ordered === true || input.ordered === 'true' || input.ordered === 'on';
    const expiresAt = new Date(Date.now() + this.config.signingLinkDays * 86_400_000);

    const { request, outbox, rows } = await this.dataSource.transaction(async (manager) => {
      const open = await manager.findOneBy(SigningRequestEntity, { documentId, status: 'open' });
      if (open) throw new DomainError('INVALID_STATE', 'この書類には進行中の署名依頼があります。取り消してから作り直してください');
      const awaitingSeal = await manager.findOneBy(SigningRequestEntity, { documentId, status: 'completed', sealedSha256: IsNull() });
      if (awaitingSeal) throw new DomainError('INVALID_STATE', 'この書類は全員の署名がそろい、封緘を待っています');
      const request = await manager.save(
        manager.create(SigningRequestEntity, {
          documentId,
          officeId: document.officeId,
          status: 'open',
          ordered,
          expiresAt,
          createdBy: user.id,
        }),
      );
      const rows: SignerEntity[] = [];
      for (const [position, s] of signers.entries()) {
        rows.push(
          await manager.save(
            manager.create(SignerEntity, {
              requestId: request.id,
              role: s.role.role,
              roleLabel: s.role.label,
              position,
              name: s.name,
              email: s.email,
              relation: s.relation,
              method: s.method,
              status: 'pending',
              accessCodeHash: s.accessCode ? await hashPassword(s.accessCode) : null,
              accessFailures: 0,
            }),
          ),
        );
      }
      const outbox: MailOutboxEntity[] = [];
      for (const signer of rows) {
        if (this.mayStart(request, rows, signer)) outbox.push(await this.sendLink(manager, request, signer, document, 'signing-request'));
      }
      await this.audit.record(
        {
          action: 'signing_requested',
          actor: user,
          target: { type: 'document', id: documentId },
          origin,
          detail: { request: request.id, signers: rows.map((r) => r.role) },
        },
        manager,
      );
      return { request, outbox, rows };
    });
    await this.mail.dispatch(outbox);
    await this.queue.add(
      'expire',
      { kind: 'expire', requestId: request.id },
      { jobId: JOB_IDS.expire(request.id), delay: expiresAt.getTime() - Date.now() },
    );
    for (const signer of rows.filter((r) => r.method === 'email')) {
      await this.queue.add(
        'remind',
        { kind: 'remind', signerId: signer.id },
        { jobId: JOB_IDS.remind(signer.id), delay: this.config.reminderDays * 86_400_000 },
      );
    }
    return this.describe(request.id);
  }

  /** A request with its signers, for the office (no secrets). */
  async describe(requestId: string) {
    const request = await this.dataSource.getRepository(SigningRequestEntity).findOneByOrFail({ id: requestId });
    const signers = await this.dataSource.getRepository(SignerEntity).find({ where: { requestId }, order: { position: 'ASC' } });
    return {
      ...request,
      signers: signers.map(({ accessFailures, ...s }) => ({ ...s, locked: accessFailures >= MAX_ACCESS_CODE_FAILURES })),
    };
  }

  async forDocument(user: CurrentUser, documentId: string, origin: RequestOrigin | null) {
    await this.documents.writable(user, documentId, origin);
    const requests = await this.dataSource
      .getRepository(SigningRequestEntity)
      .find({ where: { documentId }, order: { createdAt: 'DESC' } });
    return Promise.all(requests.map((r) => this.describe(r.id)));
  }

  /** A new link for one signer; the old one stops working at once. */
  async resend(user: CurrentUser, requestId: string, signerId: string, origin: RequestOrigin | null) {
    const { request, signer, document } = await this.officeSigner(user, requestId, signerId, origin);
    if (signer.method !== 'email' || !signer.email)
      throw new DomainError('INVALID_STATE', `${signer.name} さんはメールで署名する設定ではありません`);
    const outbox = await this.dataSource.transaction(async (manager) => {
      const message = await this.sendLink(manager, request, signer, document, 'signing-request');
      await this.audit.record({ action: 'signing_link_resent', actor: user, target: { type: 'signer', id: signer.id }, origin }, manager);
      return message;
    });
    await this.mail.dispatch([outbox]);
    return this.describe(request.id);
  }

  async cancel(user: CurrentUser, requestId: string, origin: RequestOrigin | null) {
    const request = await this.officeRequest(user, requestId, origin);
    await this.dataSource.transaction(async (manager) => {
      const changed = await manager.update(SigningRequestEntity, { id: request.id, status: 'open' }, { status: 'cancelled' });
      if (changed.affected !== 1) throw new DomainError('INVALID_STATE', 'この署名依頼は既に終了しています');
      await manager.update(SignerEntity, { requestId: request.id }, { tokenHash: null });
      await this.audit.record(
        { action: 'signing_cancelled', actor: user, target: { type: 'signing_request', id: request.id }, origin },
        manager,
      );
    });
    return this.describe(request.id);
  }

  /** Opens a link; refuses one that is unknown, used, re-sent, expired, declined, or not yet this signer's turn. */
  async open(token: string): Promise<OpenedLink> {
    const row = await this.links.find(sha256Hex(token));
    if (!row)
      throw new DomainError(
        'LINK_INVALID',
        'このリンクは使えません。署名済みか、新しいリンクが送られています。最新のメールのリンクをお使いください',
      );
    const signer = Object.assign(new SignerEntity(), {
      id: row.id,
      requestId: row.request_id,
      role: row.role,
      roleLabel: row.role_label,
      position: row.position,
      name: row.name,
      email: row.email,
      relation: row.relation,
      method: row.method,
      status: row.status,
      accessCodeHash: row.access_code_hash,
      accessFailures: row.access_failures,
      accessSessionHash: row.access_session_hash,
      viewedAt: row.viewed_at,
    });
    const request = Object.assign(new SigningRequestEntity(), {
      id: row.request_id,
      status: row.request_status,
      ordered: row.ordered,
      expiresAt: row.expires_at,
      documentId: row.document_id,
      officeId: row.office_id,
    });
    this.assertSignable(request, signer);
    const { form } = this.networks.getForm(row.network_id, row.form_id);
    const document: DocumentSummary = {
      id: row.document_id,
      number: row.number,
      networkId: row.network_id,
      formId: row.form_id,
      officeId: row.office_id,
      status: row.document_status,
      formTitle: form.title,
      formNumber: form.number,
      version: { data: row.data },
    };
    const role = form.signers.find((r) => r.role === signer.role)!;
    if (!signer.viewedAt) await this.dataSource.getRepository(SignerEntity).update(signer.id, { viewedAt: new Date() });
    return { signer, request, document, role, needsAccessCode: signer.accessCodeHash !== null };
  }

  /** Checks the 暗証番号; five wrong answers lock the link. Returns a secret that proves this browser passed. */
  async verifyAccessCode(token: string, code: string, origin: RequestOrigin | null): Promise<string> {
    const { signer } = await this.open(token);
    if (!signer.accessCodeHash) throw new DomainError('INVALID_STATE', '暗証番号は設定されていません');
    if (signer.accessFailures >= MAX_ACCESS_CODE_FAILURES) throw lockedError();
    if (!(await verifyPassword(String(code ?? ''), signer.accessCodeHash))) {
      const failures = signer.accessFailures + 1;
      await this.dataSource.getRepository(SignerEntity).update(signer.id, { accessFailures: failures });
      await this.audit.record({
        action: failures >= MAX_ACCESS_CODE_FAILURES ? 'access_code_locked' : 'access_code_failed',
        target: { type: 'signer', id: signer.id },
        origin,
      });
      if (failures >= MAX_ACCESS_CODE_FAILURES) throw lockedError();
      throw new DomainError('ACCESS_CODE_WRONG', `暗証番号が違います（あと${MAX_ACCESS_CODE_FAILURES - failures}回でロックされます）`);
    }
    const secret = randomBytes(24).toString('base64url');
    await this.dataSource.getRepository(SignerEntity).update(signer.id, { accessFailures: 0, accessSessionHash: sha256Hex(secret) });
    return secret;
  }

  /** Signs through an e-mailed link. A link that has signed once is dead: using it again signs nothing. */
  async signByLink(token: string, input: SignatureInput, accessSecret: string | null, origin: RequestOrigin) {
    const { signer, role } = await this.open(token);
    if (signer.accessCodeHash && (!accessSecret || sha256Hex(accessSecret) !== signer.accessSessionHash)) {
      throw new DomainError('ACCESS_CODE_REQUIRED', '暗証番号を入力してください');
    }
    if (signer.accessFailures >= MAX_ACCESS_CODE_FAILURES) throw lockedError();
    return this.sign(signer.id, role, input, origin, null);
  }

  /** Signs on the office's device, during a visit: the logged-in staff member witnesses it. */
  async signInPerson(user: CurrentUser, requestId: string, signerId: string, input: SignatureInput, origin: RequestOrigin) {
    const { request, signer, document } = await this.officeSigner(user, requestId, signerId, origin);
    this.assertSignable(request, signer);
    const role = this.networks.getForm(document.networkId, document.formId).form.signers.find((r) => r.role === signer.role)!;
    return this.sign(signer.id, role, input, origin, user);
  }

  async declineByLink(token: string, reason: unknown, accessSecret: string | null, origin: RequestOrigin) {
    const { signer, request } = await this.open(token);
    if (signer.accessCodeHash && (!accessSecret || sha256Hex(accessSecret) !== signer.accessSessionHash)) {
      throw new DomainError('ACCESS_CODE_REQUIRED', '暗証番号を入力してください');
    }
    const text = typeof reason === 'string' ? reason.trim().slice(0, 500) : '';
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        SignerEntity,
        { id: signer.id, status: 'pending' },
        { status: 'declined', declineReason: text || null, ip: origin.ip, userAgent: origin.userAgent },
      );
      await manager.update(SigningRequestEntity, { id: request.id, status: 'open' }, { status: 'declined', completedAt: new Date() });
      await manager.update(SignerEntity, { requestId: request.id }, { tokenHash: null });
      await this.audit.record(
        { action: 'signing_declined', target: { type: 'signer', id: signer.id }, origin, detail: { reason: text } },
        manager,
      );
    });
  }

  /** The expiry job: an open request past its date expires and its links die; the office is told. */
  async expire(requestId: string): Promise<boolean> {
    const result = await this.dataSource.transaction(async (manager) => {
      const request = await manager.findOneBy(SigningRequestEntity, { id: requestId });
      if (!request || request.status !== 'open' || request.expiresAt.getTime() > Date.now() + 1000) return null;
      await manager.update(SigningRequestEntity, { id: requestId, status: 'open' }, { status: 'expired' });
      await manager.update(SignerEntity, { requestId }, { tokenHash: null });
      const document = await this.documents.byId(request.documentId);
      const creator = request.createdBy ? await manager.findOneBy(UserEntity, { id: request.createdBy }) : null;
      if (!creator) return [];
      const pending = await manager.find(SignerEntity, { where: { requestId, status: 'pending' }, order: { position: 'ASC' } });
      const message = this.mail.compose(document.networkId, 'expired', {
        ...(await this.mailContext(manager, document)),
        expiresAt: formatJst(request.expiresAt),
        pendingNames: pending.map((p) => `${p.name}（${p.roleLabel}）`).join('、'),
        link: `${this.config.publicUrl}/documents/${document.id}`,
      });
      return [await this.mail.enqueue(manager, { kind: 'expired', to: creator.email, ...message })];
    });
    if (result) await this.mail.dispatch(result);
    return result !== null;
  }

  /** The reminder job: a signer still pending gets a fresh link (the previous one stops working). */
  async remind(signerId: string): Promise<boolean> {
    const signer = await this.dataSource.getRepository(SignerEntity).findOneBy({ id: signerId });
    if (!signer || signer.status !== 'pending' || signer.method !== 'email') return false;
    const request = await this.dataSource.getRepository(SigningRequestEntity).findOneByOrFail({ id: signer.requestId });
    if (request.status !== 'open') return false;
    const all = await this.dataSource.getRepository(SignerEntity).find({ where: { requestId: request.id } });
    if (!this.mayStart(request, all, signer)) return false;
    const document = await this.documents.byId(request.documentId);
    const outbox = await this.dataSource.transaction((manager) => this.sendLink(manager, request, signer, document, 'reminder'));
    await this.mail.dispatch([outbox]);
    return true;
  }

  private async sign(signerId: string, role: SignerRole, input: SignatureInput, origin: RequestOrigin, witness: CurrentUser | null) {
    const signature = validateSignature(role, input);
    const { completed, outbox, requestId, alreadySigned } = await this.dataSource.transaction(async (manager) => {
      const signer = await manager
        .getRepository(SignerEntity)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .where('s.id = :id', { id: signerId })
        .getOneOrFail();
      if (signer.status === 'signed') return { completed: false, outbox: [], requestId: signer.requestId, alreadySigned: true };
      // Serialize completions on the request row, so that two last signers finishing together both count
      // and exactly one of them completes the request.
      const request = await manager
        .getRepository(SigningRequestEntity)
        .createQueryBuilder('r')
        .setLock('pessimistic_write')
        .where('r.id = :id', { id: signer.requestId })
        .getOneOrFail();
      this.assertSignable(request, signer);
      await manager.update(SignerEntity, signer.id, {
        status: 'signed',
        signedAt: new Date(),
        signatureKind: signature.kind,
        signatureImage: signature.image,
        typedName: signature.typedName,
        relation: signature.relation ?? signer.relation,
        proxyReason: signature.proxyReason,
        ip: origin.ip,
        userAgent: origin.userAgent,
        witnessUserId: witness?.id ?? null,
        tokenHash: null,
      });
      await this.audit.record(
        {
          action: 'signed',
          actor: witness,
          target: { type: 'signer', id: signer.id },
          origin,
          detail: { role: signer.role, method: witness ? 'in_person' : 'link' },
        },
        manager,
      );
      const all = await manager.find(SignerEntity, { where: { requestId: request.id }, order: { position: 'ASC' } });
      const outbox: MailOutboxEntity[] = [];
      if (all.every((s) => s.status === 'signed')) {
        await manager.update(SigningRequestEntity, request.id, { status: 'completed', completedAt: new Date() });
        return { completed: true, outbox, requestId: request.id, alreadySigned: false };
      }
      if (request.ordered) {
        const next = all.find((s) => s.status === 'pending');
        if (next && next.method === 'email')
          outbox.push(await this.sendLink(manager, request, next, await this.documents.byId(request.documentId), 'signing-request'));
      }
      return { completed: false, outbox, requestId: request.id, alreadySigned: false };
    });
    await this.mail.dispatch(outbox);
    if (completed) await this.queueSeal(requestId);
    return { alreadySigned, completed };
  }

  /**
   * Completed requests that are still unsealed a while later (their job was lost between commit and
   * enqueue, or ran out of retries through a long timestamping outage) get their seal job again.
   */
  async sweepUnsealed(olderThanMs = 5 * 60_000): Promise<number> {
    const stale = await this.dataSource.getRepository(SigningRequestEntity).find({
      where: { status: 'completed', sealedSha256: IsNull(), completedAt: LessThan(new Date(Date.now() - olderThanMs)) },
      take: 100,
    });
    for (const request of stale) await this.queueSeal(request.id);
    return stale.length;
  }

  private async queueSeal(requestId: string): Promise<void> {
    const jobId = JOB_IDS.seal(requestId);
    const existing = await this.queue.getJob(jobId);
    if (existing && (await existing.isFailed())) {
      await existing.retry('failed', { resetAttemptsMade: true });
      return;
    }
    // A no-op while the job is waiting, delayed or running: sealing is queued once.
    await this.queue.add('seal', { kind: 'seal', requestId }, { jobId, attempts: SEAL_ATTEMPTS, backoff: { type: 'seal' } });
  }

  private assertSignable(request: SigningRequestEntity, signer: SignerEntity): void {
    if (signer.status === 'signed') throw new DomainError('ALREADY_SIGNED', 'この書類には既に署名いただいています。ありがとうございました');
    if (request.status === 'expired' || request.expiresAt.getTime() < Date.now())
      throw new DomainError('LINK_EXPIRED', 'この署名依頼は有効期限が切れています。依頼元の事業所にお問い合わせください');
    if (request.status !== 'open' || signer.status === 'declined')
      throw new DomainError('REQUEST_CLOSED', 'この署名依頼は取り消されたか、辞退されています');
  }

  /** In an ordered request only the first signer still pending may sign; otherwise anyone pending. */
  private mayStart(request: SigningRequestEntity, all: SignerEntity[], signer: SignerEntity): boolean {
    if (signer.method !== 'email') return false;
    if (!request.ordered) return true;
    return all.filter((s) => s.status === 'pending').sort((a, b) => a.position - b.position)[0]?.id === signer.id;
  }

  private async sendLink(
    manager: EntityManager,
    request: SigningRequestEntity,
    signer: SignerEntity,
    document: DocumentSummary,
    kind: MailKind,
  ) {
    const token = newToken();
    await manager.update(SignerEntity, signer.id, { tokenHash: sha256Hex(token), tokenExpiresAt: request.expiresAt });
    const message = this.mail.compose(document.networkId, kind, {
      ...(await this.mailContext(manager, document)),
      signerName: signer.name,
      link: `${this.config.publicUrl}/sign/${token}`,
      expiresAt: formatJst(request.expiresAt),
      accessCode:
        (
          await manager
            .getRepository(SignerEntity)
            .createQueryBuilder('s')
            .addSelect('s.accessCodeHash')
            .where('s.id = :id', { id: signer.id })
            .getOneOrFail()
        ).accessCodeHash !== null,
    });
    return this.mail.enqueue(manager, { kind, to: signer.email!, ...message });
  }

  async mailContext(manager: EntityManager, document: DocumentSummary): Promise<Record<string, unknown>> {
    const network = this.networks.getNetwork(document.networkId);
    const office = await manager.findOneByOrFail(OfficeEntity, { id: document.officeId });
    return {
      networkName: network.name,
      operator: network.operator,
      officeName: office.name,
      formTitle: document.formTitle,
      formNumber: document.formNumber,
      documentNumber: document.number,
    };
  }

  private async officeRequest(user: CurrentUser, requestId: string, origin: RequestOrigin | null): Promise<SigningRequestEntity> {
    const request = isUuid(requestId) ? await this.dataSource.getRepository(SigningRequestEntity).findOneBy({ id: requestId }) : null;
    if (!request) throw new DomainError('NOT_FOUND', '署名依頼が見つかりません');
    if (!isOfficeUser(user) || user.officeId !== request.officeId) {
      await this.audit.record({ action: 'access_denied', actor: user, target: { type: 'signing_request', id: requestId }, origin });
      throw new DomainError('NOT_FOUND', '署名依頼が見つかりません');
    }
    return request;
  }

  private async officeSigner(user: CurrentUser, requestId: string, signerId: string, origin: RequestOrigin | null) {
    const request = await this.officeRequest(user, requestId, origin);
    const signer = isUuid(signerId) ? await this.dataSource.getRepository(SignerEntity).findOneBy({ id: signerId, requestId }) : null;
    if (!signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    if (request.status !== 'open') throw new DomainError('REQUEST_CLOSED', 'この署名依頼は終了しています');
    return { request, signer, document: await this.documents.byId(request.documentId) };
  }

  private async validateSigners(roles: SignerRole[], input: SignerInput[] | undefined) {
    const errors: FieldError[] = [];
    const list = Array.isArray(input) ? input : [];
    const seen = new Set<string>();
    const signers = list.flatMap((s, i) => {
      const at = (key: string) => `signers[${i}].${key}`;
      const role = roles.find((r) => r.role === s?.role);
      if (!role) {
        errors.push({
          path: at('role'),
          label: '役割',
          message: `役割は次のいずれかです: ${roles.map((r) => `${r.role}（${r.label}）`).join('、')}`,
        });
        return [];
      }
      if (seen.has(role.role)) errors.push({ path: at('role'), label: role.label, message: `${role.label}が二度指定されています` });
      seen.add(role.role);
      const name = typeof s.name === 'string' ? s.name.trim() : '';
      if (!name || name.length > 40)
        errors.push({ path: at('name'), label: `${role.label}の氏名`, message: `${role.label}の氏名を40文字以内で入力してください` });
      const method = s.method === 'in_person' ? 'in_person' : s.method === 'email' || s.method === undefined ? 'email' : null;
      if (!method) errors.push({ path: at('method'), label: '署名の方法', message: '署名の方法は email か in_person です' });
      const email = typeof s.email === 'string' && s.email.trim() ? s.email.trim() : null;
      if (method === 'email' && (!email || !looksLikeEmail(email))) {
        errors.push({
          path: at('email'),
          label: `${role.label}のメールアドレス`,
          message: `${role.label}のメールアドレスを正しく入力してください（メールで署名する場合）`,
        });
      }
      const accessCode = typeof s.accessCode === 'string' && s.accessCode.trim() ? s.accessCode.trim() : null;
      if (accessCode && !/^\d{4,8}$/.test(accessCode))
        errors.push({ path: at('accessCode'), label: '暗証番号', message: '暗証番号は4〜8桁の数字です' });
      const relation = typeof s.relation === 'string' && s.relation.trim() ? s.relation.trim().slice(0, 20) : null;
      return [{ role, name, email, method: (method ?? 'email') as 'email' | 'in_person', accessCode, relation }];
    });
    for (const role of roles.filter((r) => r.required && !seen.has(r.role))) {
      errors.push({ path: 'signers', label: role.label, message: `${role.label}の署名者を指定してください（必須）` });
    }
    if (list.length === 0) errors.push({ path: 'signers', label: '署名者', message: '署名者を1人以上指定してください' });
    if (errors.length) throw new DomainError('INVALID_REQUEST', `署名者の指定に${errors.length}件の誤りがあります`, { errors });
    return signers;
  }
}

function lockedError(): DomainError {
  return new DomainError(
    'ACCESS_LOCKED',
    '暗証番号を続けて間違えたため、このリンクはロックされました。依頼元の事業所に連絡して、リンクを再送してもらってください',
  );
}

/** Checks what the signer submitted; every problem is reported at once. */
function validateSignature(role: SignerRole, input: SignatureInput) {
  const errors: FieldError[] = [];
  if (input.consent !== true && input.consent !== 'true' && input.consent !== 'on') {
    errors.push({ path: 'consent', label: '同意', message: '内容を確認し、同意する場合はチェックを入れてください' });
  }
  const kind: 'typed' | 'drawn' | null = input.signatureKind === 'typed' ? 'typed' : input.signatureKind === 'drawn' ? 'drawn' : null;
  let image: string | null = null;
  let typedName: string | null = null;
  if (kind === 'drawn') {
    const data = typeof input.signatureImage === 'string' ? input.signatureImage : '';
    const match = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(data);
    const bytes = match ? Buffer.from(match[1], 'base64') : null;
    if (!bytes || bytes.length < 100 || bytes.length > MAX_SIGNATURE_BYTES || bytes.subarray(1, 4).toString('latin1') !== 'PNG') {
      errors.push({ path: 'signatureImage', label: '署名', message: '署名欄に指で署名してください' });
    } else image = data;
  } else if (kind === 'typed') {
    typedName = typeof input.typedName === 'string' ? input.typedName.trim() : '';
    if (!typedName || typedName.length > 40)
      errors.push({ path: 'typedName', label: '署名（文字入力）', message: 'お名前を40文字以内で入力してください' });
  } else {
    errors.push({ path: 'signatureKind', label: '署名の方法', message: '手書きか文字入力で署名してください' });
  }
  const relation = typeof input.relation === 'string' && input.relation.trim() ? input.relation.trim().slice(0, 20) : null;
  if ((role.kind === 'family' || role.kind === 'proxy') && !relation)
    errors.push({ path: 'relation', label: '続柄', message: '患者さまとの続柄を入力してください' });
  const proxyReason = typeof input.proxyReason === 'string' && input.proxyReason.trim() ? input.proxyReason.trim().slice(0, 200) : null;
  if (role.kind === 'proxy' && !proxyReason)
    errors.push({ path: 'proxyReason', label: '代筆の理由', message: '代筆する理由を入力してください（例: 手の震えのため）' });
  if (errors.length) throw new DomainError('INVALID_REQUEST', `署名の入力に${errors.length}件の誤りがあります`, { errors });
  return { kind: kind!, image, typedName, relation, proxyReason };
}
