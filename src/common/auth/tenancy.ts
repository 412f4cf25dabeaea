import { DomainError } from '../errors/domain-error';
import { RequestOrigin } from '../request-origin';
import { CurrentUser, isOfficeUser } from './current-user';

/** Where a refused attempt is written: the audit log (AuditService), which sits above common. */
export interface RefusalLog {
  record(entry: {
    action: 'access_denied';
    actor: CurrentUser;
    target: { type: string; id: string };
    origin: RequestOrigin | null;
    detail: Record<string, unknown>;
  }): Promise<void>;
}

/**
 * A record another tenant owns is answered exactly like one that does not exist (404), so ids cannot
 * be probed; the attempt is written to the audit log.
 */
export async function refuseCrossTenant(
  audit: RefusalLog,
  user: CurrentUser,
  target: { type: string; id: string },
  origin: RequestOrigin | null,
  message = '見つかりません',
  detail: Record<string, unknown> = {},
): Promise<never> {
  await audit.record({ action: 'access_denied', actor: user, target, origin, detail: { role: user.role, ...detail } });
  throw new DomainError('NOT_FOUND', message);
}

/** Whether the user's tenancy covers this office: its own office, its network (事務局), or all (admin). */
export function coversOffice(user: CurrentUser, office: { id: string; networkId: string }): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'secretariat') return office.networkId === user.networkId;
  return office.id === user.officeId;
}

/** Whether the record belongs to the user's own office (office users only). */
export function ownOffice(user: CurrentUser, officeId: string): boolean {
  return isOfficeUser(user) && user.officeId === officeId;
}

/**
 * The one tenancy check for a loaded record: a missing record is a 404; one the user's tenancy does not
 * cover is answered exactly the same (same code, same message), after the attempt is audited.
 */
export async function requireInTenancy<T>(
  audit: RefusalLog,
  user: CurrentUser,
  record: T | null | undefined,
  access: {
    target: { type: string; id: string };
    covers: (record: T) => boolean;
    origin: RequestOrigin | null;
    /** What a missing record is called, e.g. 書類が見つかりません. */
    missing?: string;
    /** Written to the audit row of a refusal, e.g. the event someone attempted. */
    detail?: Record<string, unknown>;
  },
): Promise<T> {
  const missing = access.missing ?? '見つかりません';
  if (record === null || record === undefined) throw new DomainError('NOT_FOUND', missing);
  if (!access.covers(record)) return refuseCrossTenant(audit, user, access.target, access.origin, missing, access.detail);
  return record;
}
