import { Injectable } from '@nestjs/common';
import { CurrentUser } from '../common/auth/current-user';
import { ownOffice, requireInTenancy } from '../common/auth/tenancy';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { PeopleService } from '../people/people.service';
import { PatientWithFamily } from '../people/people.types';
import { RightsRepository } from './rights.repository';
import { RightsRequest } from './rights.types';

/**
 * Who may act on a patient's rights: their own office only. Another office, the 事務局 and an admin are
 * answered exactly as for a patient who does not exist (404), and the attempt is audited.
 */
@Injectable()
export class RightsAccessPolicy {
  constructor(
    private readonly people: PeopleService,
    private readonly repository: RightsRepository,
    private readonly audit: AuditService,
  ) {}

  async patient(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<PatientWithFamily> {
    return requireInTenancy(this.audit, user, isUuid(id) ? await this.people.findPatientWithFamily(id) : null, {
      target: { type: 'patient', id },
      covers: (p) => ownOffice(user, p.officeId),
      origin,
      missing: '患者が見つかりません',
    });
  }

  async request(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<RightsRequest> {
    return requireInTenancy(this.audit, user, isUuid(id) ? await this.repository.findRequest(id) : null, {
      target: { type: 'rights_request', id },
      covers: (r) => ownOffice(user, r.officeId),
      origin,
      missing: '請求が見つかりません',
    });
  }

  /** Erasure and legal holds are confirmed by the office manager (after the tenancy check: others get 404 first). */
  requireManager(user: CurrentUser, what: string): void {
    if (user.role !== 'office_manager') throw new DomainError('FORBIDDEN', `${what}は事業所管理者が確定します`);
  }
}
