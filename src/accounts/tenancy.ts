import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { CurrentUser } from './current-user';

/**
 * A record another tenant owns is answered exactly like one that does not exist (404), so ids cannot
 * be probed; the attempt is written to the audit log.
 */
export async function refuseCrossTenant(
  audit: AuditService,
  user: CurrentUser,
  target: { type: string; id: string },
  origin: RequestOrigin | null,
): Promise<never> {
  await audit.record({ action: 'access_denied', actor: user, target, origin, detail: { role: user.role } });
  throw new DomainError('NOT_FOUND', '見つかりません');
}

/** Whether the user's tenancy covers this office: its own office, its network (事務局), or all (admin). */
export function coversOffice(user: CurrentUser, office: { id: string; networkId: string }): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'secretariat') return office.networkId === user.networkId;
  return office.id === user.officeId;
}
