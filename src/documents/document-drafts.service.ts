import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Office } from '../accounts/accounts.types';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { requireInTenancy } from '../common/auth/tenancy';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { FormDefinition } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { buildDraft, DraftSources } from '../networks/prefill';
import { PeopleService } from '../people/people.service';

/** A new document's starting point: the user's office, the form, and what the catalogue prefills. */
export interface Draft {
  office: Office;
  form: FormDefinition;
  data: Record<string, unknown>;
}

/** The sources every form may read: the office, its manager, who prepares the sheet. */
export function officeSources(
  office: Pick<Office, 'name' | 'address' | 'postalCode' | 'phone'>,
  managerName: string | null,
  user: Pick<CurrentUser, 'name'>,
): Omit<DraftSources, 'issueDate'> {
  return {
    office: { name: office.name, address: office.address, postalCode: office.postalCode, phone: office.phone },
    manager: { name: managerName },
    user: { name: user.name },
  };
}

/** Who signs and is printed as the office's 管理者. */
export interface OfficeManager {
  name: string;
  email: string | null;
}

/**
 * Drafting: what a new document of a form starts with. The catalogue's prefill mapping reads the office,
 * and the staff member or patient the form is about; the subject must belong to the user's office.
 */
@Injectable()
export class DocumentDraftsService {
  constructor(
    private readonly offices: OfficesService,
    private readonly people: PeopleService,
    private readonly networks: NetworksService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {}

  /**
   * The office's 管理者, as its sheets print it and its signing form asks it: the staff member marked as
   * manager, else the manager preparing the sheet, else the office's first manager account. A clerk's change
   * (a staff member joining) thus still drafts a notice with its 管理者 named.
   */
  async managerOf(officeId: string, user: CurrentUser, manager?: EntityManager): Promise<OfficeManager | null> {
    const staff = await this.people.managerOf(officeId);
    if (staff) return { name: staff.name, email: staff.email };
    if (user.role === 'office_manager' && user.officeId === officeId) return { name: user.name, email: user.email };
    const account = (await this.users.ofOffice(officeId, manager)).find((a) => a.role === 'office_manager');
    return account ? { name: account.name, email: account.email } : null;
  }

  /** The network of an office user's office. */
  async networkOf(user: CurrentUser): Promise<string> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '事業所の職員だけが使えます');
    return (await this.offices.get(user.officeId)).networkId;
  }

  /** What a new document of this form starts with: the office's, staff member's or patient's details. */
  async draftData(
    user: CurrentUser,
    formId: string,
    subjectId: string | null,
    origin: RequestOrigin | null,
  ): Promise<Record<string, unknown>> {
    return (await this.draft(user, formId, subjectId, origin)).data;
  }

  async draft(user: CurrentUser, formId: string, subjectId: string | null, origin: RequestOrigin | null): Promise<Draft> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '書類は事業所の職員が作成します');
    const office = await this.offices.get(user.officeId);
    const { form } = this.networks.getForm(office.networkId, formId);
    return { office, form, data: buildDraft(form, await this.sources(user, office, form, subjectId, origin)) };
  }

  private async sources(
    user: CurrentUser,
    office: Office,
    form: Pick<FormDefinition, 'subject' | 'purpose'>,
    subjectId: string | null,
    origin: RequestOrigin | null,
  ): Promise<DraftSources> {
    const manager = await this.managerOf(office.id, user);
    const sources: DraftSources = {
      ...officeSources(office, manager?.name ?? null, user),
      issueDate: null,
    };
    if (form.purpose === 'application') {
      const roster = await this.people.listStaff(office.id);
      sources.roster = roster.map(({ name, nameKana, email, jobTitle }) => ({ name, nameKana, email, jobTitle }));
    }
    if (form.subject !== 'staff' && form.subject !== 'patient') return sources;
    if (!subjectId || !isUuid(subjectId)) {
      const label = form.subject === 'staff' ? '従事者' : '患者';
      throw new DomainError('INVALID_REQUEST', `${label}を選んでください`, {
        errors: [{ path: 'subjectId', label, message: '対象を選んでください' }],
      });
    }
    const inOffice = { covers: (record: { officeId: string }) => record.officeId === office.id, origin };
    if (form.subject === 'staff') {
      const staff = await requireInTenancy(this.audit, user, await this.people.findStaff(subjectId), {
        ...inOffice,
        target: { type: 'staff_member', id: subjectId },
        missing: '従事者が見つかりません',
      });
      return { ...sources, staff };
    }
    const { family, ...patient } = await requireInTenancy(this.audit, user, await this.people.findPatientWithFamily(subjectId), {
      ...inOffice,
      target: { type: 'patient', id: subjectId },
      missing: '患者が見つかりません',
    });
    if (patient.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は消去されています。書類は作成できません');
    if (patient.suspendedAt)
      throw new DomainError(
        'INVALID_STATE',
        `${patient.name} さんは利用停止の請求に応じて利用を停止しています。新しい書類は作成できません`,
      );
    return { ...sources, patient, family };
  }
}
