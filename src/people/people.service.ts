import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { ownOffice, requireInTenancy } from '../common/auth/tenancy';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/validation';
import { RegistrationsService } from '../registrations/registrations.service';
import { RegistrationKind, RegistrationSource } from '../registrations/registrations.types';
import { checkedInput } from '../common/validation/field-errors';
import { CreateStaffDto } from './dto/create-staff.dto';
import { Patient, PatientInput, PatientWithFamily, StaffChanges, StaffInput, StaffMember } from './people.types';
import { PeopleRepository } from './people.repository';
import { Transactions } from '../common/database/transactions';

export type { PatientInput, StaffInput } from './people.types';

/** An office's roster (従事者) and patients with their families. Office users only, their own office. */
@Injectable()
export class PeopleService {
  constructor(
    private readonly people: PeopleRepository,
    private readonly audit: AuditService,
    private readonly registrations: RegistrationsService,
    private readonly transactions: Transactions,
  ) {}

  listStaff(officeId: string, includeFormer = false): Promise<StaffMember[]> {
    return this.people.listStaff(officeId, includeFormer);
  }

  /** A new staff member from the staff pages or API; it becomes a line on the 事務局's registration desk. */
  async addStaff(user: CurrentUser, input: StaffInput, origin: RequestOrigin | null = null): Promise<StaffMember> {
    return this.transactions.run((manager) => this.addStaffIn(manager, user, input, origin));
  }

  /** addStaff inside the caller's transaction (a staff-change notice is drafted alongside). */
  async addStaffIn(manager: EntityManager, user: CurrentUser, input: StaffInput, origin: RequestOrigin | null): Promise<StaffMember> {
    const staff = await this.createStaff(manager, requireOffice(user), input, 'staff');
    await this.audit.record({ action: 'staff_added', actor: user, target: { type: 'staff_member', id: staff.id }, origin }, manager);
    return staff;
  }

  /** Changes a staff member's details (氏名, ふりがな, 職種, メール, 性別, 入職日, 管理者); the change is a line on the 事務局's desk. */
  async changeStaff(user: CurrentUser, id: string, input: StaffInput, origin: RequestOrigin | null): Promise<StaffMember> {
    const staff = await this.getStaff(user, id, origin);
    if (!staff.active) throw new DomainError('INVALID_STATE', `${staff.name}さんは退職済みです`);
    const { isManager, gender, joinedOn, ...rest } = staffColumns(input);
    // 管理者, 性別 and 入職日 change only when the caller sends them (the staff page always does): an API client
    // that predates them, or leaves them out, keeps them as they are.
    const details = {
      ...rest,
      ...(typeof input.isManager === 'boolean' ? { isManager } : {}),
      ...(input.gender !== undefined ? { gender } : {}),
      ...(input.joinedOn !== undefined ? { joinedOn } : {}),
    };
    const changed = (Object.keys(details) as Array<keyof typeof details>).filter((key) => (staff[key] ?? null) !== (details[key] ?? null));
    if (changed.length === 0) return staff;
    return this.transactions.run(async (manager) => {
      // The 入職日 is the office's own record: MCS has nothing to change for it, so the desk gets no line.
      if (changed.every((key) => key === 'joinedOn')) await this.people.updateStaff(manager, staff.id, details);
      else await this.updateStaff(manager, staff.id, details, 'staff');
      await this.audit.record({ action: 'staff_changed', actor: user, target: { type: 'staff_member', id: staff.id }, origin }, manager);
      return { ...staff, ...details };
    });
  }

  async getStaff(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<StaffMember> {
    return requireInTenancy(this.audit, user, await this.findStaff(id), {
      target: { type: 'staff_member', id },
      covers: (staff) => ownOffice(user, staff.officeId),
      origin,
    });
  }

  /**
   * 退職: the staff member leaves the roster (and the secretariat's matrix) but keeps their history. The
   * leaving day is the one the clerk chose (YYYY-MM-DD, not in the future), or today.
   */
  async markLeft(user: CurrentUser, id: string, origin: RequestOrigin | null, leftOn?: string | null): Promise<StaffMember> {
    return this.transactions.run((manager) => this.markLeftIn(manager, user, id, origin, leftOn));
  }

  /** markLeft inside the caller's transaction (a staff-change notice is drafted alongside). */
  async markLeftIn(manager: EntityManager, user: CurrentUser, id: string, origin: RequestOrigin | null, leftOn?: string | null) {
    const staff = await this.getStaff(user, id, origin);
    if (!staff.active) throw new DomainError('INVALID_STATE', `${staff.name}さんは既に退職済みです`);
    const day = leftOn || null;
    // The one rule that needs the roster: a leaving day (checked as a date by the request class) not before joining.
    if (day && staff.joinedOn && day < staff.joinedOn) {
      const message = `退職日は入職日（${staff.joinedOn}）以降の日付を入力してください`;
      throw new DomainError('INVALID_REQUEST', message, { errors: [{ path: 'leftOn', label: '退職日', message }] });
    }
    const leftAt = day ? new Date(`${day}T00:00:00+09:00`) : new Date();
    if (!(await this.markStaffLeft(manager, staff.id, leftAt, 'staff')))
      throw new DomainError('INVALID_STATE', `${staff.name}さんは既に退職済みです`);
    await this.audit.record({ action: 'staff_left', actor: user, target: { type: 'staff_member', id: staff.id }, origin }, manager);
    return { ...staff, active: false, leftAt };
  }

  /** The office's patients (not those erased), in the order they were registered. */
  listPatients(officeId: string): Promise<Patient[]> {
    return this.people.listPatients(officeId);
  }

  /** Patients by id (any office; callers check tenancy), e.g. to name them in a list of requests. */
  patientsByIds(ids: string[]): Promise<Patient[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.people.patientsByIds([...new Set(ids)]);
  }

  /** The patient's row, locked until the caller's transaction ends (erasure and suspension serialize on it). */
  lockPatient(manager: EntityManager, id: string): Promise<Patient | null> {
    return this.people.lockPatient(manager, id);
  }

  /** 利用停止, inside the caller's transaction: no new document is made for the patient from now on. */
  async suspendIn(manager: EntityManager, id: string): Promise<void> {
    await this.people.suspendPatient(manager, id);
  }

  /**
   * 消去, inside the caller's transaction: the family contacts are deleted and the patient's row keeps
   * only its id, office and dates (documents and requests still point to it).
   */
  async eraseIn(manager: EntityManager, id: string): Promise<void> {
    await this.people.erasePatient(manager, id);
  }

  /** When each of these staff members left (退職), for those who have: retention counts from it. */
  async staffLeftDates(ids: string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const staff = await this.people.staffByIds([...new Set(ids)]);
    return new Map(staff.filter((s) => s.leftAt).map((s) => [s.id, s.leftAt!]));
  }

  /** A new patient with their family contacts, checked as one form: nothing is saved unless all of it is sound. */
  async addPatient(user: CurrentUser, input: PatientInput, origin: RequestOrigin | null = null): Promise<PatientWithFamily> {
    const officeId = requireOffice(user);
    const { patient, family } = checkedPatient(input);
    return this.transactions.run(async (manager) => {
      const saved = await this.people.insertPatient(
        manager,
        officeId,
        patient,
        family.map(({ id: _id, ...f }) => f),
      );
      await this.audit.record({ action: 'patient_added', actor: user, target: { type: 'patient', id: saved.id }, origin }, manager);
      return saved;
    });
  }

  /**
   * The patient's details and family as the edit form sends them: a row with the id of one of the patient's
   * contacts changes it, a row without an id is a new contact, and a contact the form no longer lists is removed.
   */
  async updatePatient(user: CurrentUser, id: string, input: PatientInput, origin: RequestOrigin | null): Promise<PatientWithFamily> {
    const current = await this.ownPatient(user, id, origin);
    if (current.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は消去されています。変更できません');
    const { patient, family } = checkedPatient(input);
    const known = new Set(current.family.map((f) => f.id));
    await this.transactions.run(async (manager) => {
      const kept = new Set(family.flatMap((f) => (f.id && known.has(f.id) ? [f.id] : [])));
      const removed = current.family.filter((f) => !kept.has(f.id)).map((f) => f.id);
      await this.people.updatePatient(manager, current.id, patient, family, kept, removed);
      await this.audit.record({ action: 'patient_changed', actor: user, target: { type: 'patient', id: current.id }, origin }, manager);
    });
    return (await this.findPatientWithFamily(current.id))!;
  }

  async getPatient(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<PatientWithFamily> {
    const patient = await this.ownPatient(user, id, origin);
    await this.audit.record({ action: 'patient_viewed', actor: user, target: { type: 'patient', id }, origin });
    return patient;
  }

  /** A patient of the user's own office, with their family; any other is 404 (audited). */
  private async ownPatient(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<PatientWithFamily> {
    return requireInTenancy(this.audit, user, await this.findPatientWithFamily(id), {
      target: { type: 'patient', id },
      covers: (p) => ownOffice(user, p.officeId),
      origin,
    });
  }

  /** A staff member by id, whatever the office (callers check tenancy); null for an unknown or malformed id. */
  async findStaff(id: string): Promise<StaffMember | null> {
    return isUuid(id) ? this.people.findStaff(id) : null;
  }

  /** A patient with their family, in the order they were registered; null for an unknown or malformed id. */
  async findPatientWithFamily(id: string): Promise<PatientWithFamily | null> {
    return isUuid(id) ? this.people.findPatientWithFamily(id) : null;
  }

  /** The office's manager (管理者) as its roster names them: the first active one registered. */
  managerOf(officeId: string): Promise<StaffMember | null> {
    return this.people.managerOf(officeId);
  }

  /** managerOf for several offices at once: each office's first active manager on the roster. */
  async managersOf(officeIds: string[]): Promise<Map<string, StaffMember>> {
    const managers = officeIds.length ? await this.people.activeManagersOf(officeIds) : [];
    const first = new Map<string, StaffMember>();
    for (const m of managers) if (!first.has(m.officeId)) first.set(m.officeId, m);
    return first;
  }

  /** The active staff of several offices at once, in the order they joined (the 事務局's matrix). */
  activeStaffOf(officeIds: string[]): Promise<StaffMember[]> {
    if (officeIds.length === 0) return Promise.resolve([]);
    return this.people.activeStaffOf(officeIds);
  }

  /**
   * A roster entry, written inside the caller's transaction (a roster batch, an approved application) under
   * the same rules as the form; the 事務局's desk gets its line in the same transaction.
   */
  async createStaff(
    manager: EntityManager,
    officeId: string,
    input: StaffInput,
    source: RegistrationSource = 'roster',
  ): Promise<StaffMember> {
    // A roster batch or an application comes here without a request: the staff request class checks it.
    await checkedInput(CreateStaffDto, input);
    const staff = { ...staffColumns(input), officeId, active: true };
    const saved = await this.people.insertStaff(manager, staff);
    await this.registered(manager, saved, 'add', source);
    return saved;
  }

  async updateStaff(manager: EntityManager, staffId: string, changes: StaffChanges, source: RegistrationSource = 'roster'): Promise<void> {
    await this.people.updateStaff(manager, staffId, changes);
    const staff = await this.people.findStaff(staffId, manager);
    if (staff) await this.registered(manager, staff, 'change', source);
  }

  /** 退職 inside the caller's transaction: off the roster (and the 事務局's matrix), history kept; a line to delete. False if already left. */
  async markStaffLeft(manager: EntityManager, staffId: string, leftAt: Date, source: RegistrationSource = 'roster'): Promise<boolean> {
    // Only an active member leaves: two clicks at once record one leaving and one desk line.
    if (!(await this.people.markStaffLeft(manager, staffId, leftAt))) return false;
    const staff = await this.people.findStaff(staffId, manager);
    if (staff) await this.registered(manager, staff, 'delete', source);
    return true;
  }

  private registered(manager: EntityManager, staff: StaffMember, kind: RegistrationKind, source: RegistrationSource): Promise<void> {
    const { id, name, nameKana, email, jobTitle } = staff;
    return this.registrations.staffChanged(manager, {
      officeId: staff.officeId,
      kind,
      source,
      staff: { id, name, nameKana, email, jobTitle },
    });
  }

  /** The office's active staff member with this e-mail, matched as a roster matches it: case aside. */
  findActiveStaffByEmail(manager: EntityManager, officeId: string, email: string): Promise<StaffMember | null> {
    return this.people.findActiveStaffByEmail(manager, officeId, email);
  }
}

function requireOffice(user: CurrentUser): string {
  if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '事業所の職員だけが登録できます');
  return user.officeId;
}

/** A blank text ('' from a web form, or left out) is stored as null. */
function orNull(value: string | null | undefined): string | null {
  return value ? value : null;
}

/** The staff member's columns from checked input (dto/create-staff.dto.ts). */
function staffColumns(input: StaffInput) {
  return {
    name: input.name,
    nameKana: orNull(input.nameKana),
    jobTitle: orNull(input.jobTitle),
    email: orNull(input.email),
    gender: input.gender ? input.gender : null,
    joinedOn: orNull(input.joinedOn),
    isManager: input.isManager === true,
  };
}

/** The patient's and family's columns from checked input (dto/create-patient.dto.ts). */
function checkedPatient(input: PatientInput) {
  const patient = {
    name: input.name,
    nameKana: orNull(input.nameKana),
    birthDate: orNull(input.birthDate),
    address: orNull(input.address),
    phone: orNull(input.phone),
  };
  const family = (input.family ?? []).map((f) => ({
    id: orNull(f.id),
    name: f.name,
    relation: f.relation,
    email: orNull(f.email),
    phone: orNull(f.phone),
    address: orNull(f.address),
  }));
  return { patient, family };
}
