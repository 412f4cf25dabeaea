import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { RequestOrigin } from '../common/request-origin';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeySummary, CreatedApiKey } from './accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesRepository } from './offices.repository';
import { UsersRepository } from './users.repository';

/** Every key starts so: a Bearer token with it is a key, anything else a log-in session. */
export const API_KEY_PREFIX = 'rk_';
/** last_used_at is written at most this often, not on every request. */
const TOUCH_AFTER_MS = 60_000;
/** How many live keys an office or a 事務局 may hold (each is a door; old ones should be revoked). */
export const API_KEY_LIMIT = 20;

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/**
 * API keys of an office (made by its manager) and of a 事務局: a request with one acts as that office's
 * manager or as the 事務局, without CSRF token (no browser sends the header by itself). The key is shown
 * once; only its sha256 is kept. A key stops at once when revoked, or when the account that made it is
 * stopped (利用停止). The audit log names the key of every change made with it.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly offices: OfficesRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async create(user: CurrentUser, name: string, origin: RequestOrigin | null): Promise<CreatedApiKey> {
    const owner = await this.keyOwner(user);
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await this.transactions.run(async (tx) => {
      const live = await this.keys.countLive(tx, owner);
      if (live >= API_KEY_LIMIT)
        throw new DomainError('INVALID_STATE', `APIキーは${API_KEY_LIMIT}個までです。使っていないキーを取り消してから作成してください`);
      const row = await this.keys.insert(tx, { name, keyHash: sha256Hex(key), prefix: key.slice(0, 10), ...owner, createdBy: user.id });
      await this.audit.record(
        { action: 'api_key_created', actor: user, target: { type: 'api_key', id: row.id }, origin, detail: { name } },
        tx,
      );
      return row;
    });
    return { id: saved.id, name: saved.name, key };
  }

  /** The owner's keys, newest first (never the key itself). */
  async list(user: CurrentUser): Promise<ApiKeySummary[]> {
    const owner = await this.keyOwner(user);
    return (await this.keys.listLive(owner, API_KEY_LIMIT)).map(summary);
  }

  /** Revokes one of the owner's keys: the next request with it gets 401. */
  async revoke(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<void> {
    const owner = await this.keyOwner(user);
    await this.transactions.run(async (tx) => {
      const key = /^[0-9a-f-]{36}$/i.test(id) ? await this.keys.findLive(tx, id, owner) : null;
      if (!key) throw new DomainError('NOT_FOUND', 'APIキーが見つかりません');
      await this.keys.revoke(tx, key.id);
      await this.audit.record(
        { action: 'api_key_revoked', actor: user, target: { type: 'api_key', id: key.id }, origin, detail: { name: key.name } },
        tx,
      );
    });
  }

  /** Whose keys these are: an office (its manager) or a 事務局's network. A key cannot make keys. */
  private async keyOwner(user: CurrentUser): Promise<KeyOwner> {
    if (user.apiKey) throw new DomainError('FORBIDDEN', 'APIキーの作成と取り消しは、ログインした管理者が行ってください');
    if (user.role === 'office_manager' && user.officeId) {
      const office = await this.offices.find(user.officeId);
      if (office) return { role: 'office_manager', officeId: office.id, networkId: office.networkId };
    }
    if (user.role === 'secretariat' && user.networkId) return { role: 'secretariat', officeId: null, networkId: user.networkId };
    throw new DomainError('FORBIDDEN', 'APIキーを作成できるのは事業所の管理者と事務局です');
  }

  /** The account a key acts as, or null for an unknown or revoked key, or one whose maker was stopped. */
  async resolve(token: string): Promise<CurrentUser | null> {
    const key = await this.keys.findLiveByHash(sha256Hex(token));
    if (!key) return null;
    const maker = await this.users.findById(key.createdBy);
    if (!maker || maker.disabledAt) return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > TOUCH_AFTER_MS) await this.keys.touch(key.id);
    return {
      id: maker.id,
      email: maker.email,
      name: `APIキー「${key.name}」`,
      role: key.role,
      officeId: key.officeId,
      // An office's account carries no network of its own: its office says which.
      networkId: key.role === 'secretariat' ? key.networkId : maker.networkId,
      apiKey: { id: key.id, name: key.name },
    };
  }
}

interface KeyOwner {
  role: 'office_manager' | 'secretariat';
  officeId: string | null;
  networkId: string;
}

function summary(row: ApiKeyEntity): ApiKeySummary {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt };
}
