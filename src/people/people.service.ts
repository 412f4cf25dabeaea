import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../accounts/current-user';
import { ownOffice, requireInTenancy } from '../accounts/tenancy';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { isUuid, looksLikeEmail } from '../common/validation';
import { RegistrationsService } from '../registrations/registrations.service';
import { RegistrationKind, RegistrationSource } from '../registrations/registrations.types';
import { FamilyContactEntity, PatientEntity } from './patient.entity';
import { ERASED_PATIENT_NAME, Patient, PatientWithFamily, StaffChanges, StaffMember } from './people.types';
import { StaffMemberEntity } from './staff-member.entity';

export interface StaffInput {
  name?: unknown;
  nameKana?: unknown;
  jobTitle?: unknown;
  email?: unknown;
  isManager?: unknown;
}

export interface PatientInput {
  name?: unknown;
  nameKana?: unknown;
  birthDate?: unknown;
  address?: unknown;
  family?: Array<{ name?: unknown; relation?: unknown; email?: unknown; phone?: unknown }>;
}

/** An office's roster (従事者) and patients with their families. Office users only, their own office. */
@Injectable()
export class PeopleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly registrations: RegistrationsService,
  ) {}

  listStaff(officeId: string, includeFormer = false): Promise<StaffMember[]> {
    return this.dataSource.getRepository(StaffMemberEntity).find({
      where: includeFormer ? { officeId } : { officeId, active: true },
      order: { createdAt: 'ASC' },
    });
  }

  /** A new staff member from the staff pages or API; it becomes a line on the 事務局's registration desk. */
  async addStaff(user: CurrentUser, input: StaffInput, origin: RequestOrigin | null = null): Promise<StaffMember> {
    const officeId = requireOffice(user);
    return this.dataSource.transaction(async (manager) => {
      const staff = await this.createStaff(manager, officeId, input, 'staff');
      await this.audit.record({ action: 'staff_added', actor: user, target: { type: 'staff_member', id: staff.id }, origin }, manager);
      return staff;
    });
  }

  /** Changes a staff member's details (氏名, ふりがな, 職種, メール); the change is a line on the 事務局's desk. */
  async changeStaff(user: CurrentUser, id: string, input: StaffInput, origin: RequestOrigin | null): Promise<StaffMember> {
    const staff = await this.getStaff(user, id, origin);
    if (!staff.active) throw new DomainError('INVALID_STATE', `${staff.name}さんは退職済みです`);
    const errors: FieldError[] = [];
    const changes = this.staffFields(input, errors);
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });
    const { isManager: _isManager, officeId: _officeId, active: _active, ...details } = changes;
    const same = (Object.keys(details) as Array<keyof typeof details>).every((key) => (staff[key] ?? null) === (details[key] ?? null));
    if (same) return staff;
    return this.dataSource.transaction(async (manager) => {
      await this.updateStaff(manager, staff.id, details, 'staff');
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

  /** 退職: the staff member leaves the roster (and the secretariat's matrix) but keeps their history. */
  async markLeft(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<StaffMember> {
    const staff = await this.getStaff(user, id, origin);
    if (!staff.active) throw new DomainError('INVALID_STATE', `${staff.name}さんは既に退職済みです`);
    const leftAt = new Date();
    await this.dataSource.transaction(async (manager) => {
      await this.markStaffLeft(manager, staff.id, leftAt, 'staff');
      await this.audit.record({ action: 'staff_left', actor: user, target: { type: 'staff_member', id: staff.id }, origin }, manager);
    });
    return { ...staff, active: false, leftAt };
  }

  /** The office's patients (not those erased), in the order they were registered. */
  listPatients(officeId: string): Promise<Patient[]> {
    return this.dataSource.getRepository(PatientEntity).find({ where: { officeId, erasedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  /** Patients by id (any office; callers check tenancy), e.g. to name them in a list of requests. */
  patientsByIds(ids: string[]): Promise<Patient[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(PatientEntity).findBy({ id: In([...new Set(ids)]) });
  }

  /** The patient's row, locked until the caller's transaction ends (erasure and suspension serialize on it). */
  lockPatient(manager: EntityManager, id: string): Promise<Patient | null> {
    return manager.getRepository(PatientEntity).createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :id', { id }).getOne();
  }

  /** 利用停止, inside the caller's transaction: no new document is made for the patient from now on. */
  async suspendIn(manager: EntityManager, id: string): Promise<void> {
    await manager.update(PatientEntity, { id, suspendedAt: IsNull() }, { suspendedAt: new Date() });
  }

  /**
   * 消去, inside the caller's transaction: the family contacts are deleted and the patient's row keeps
   * only its id, office and dates (documents and requests still point to it).
   */
  async eraseIn(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(FamilyContactEntity, { patientId: id });
    await manager.update(PatientEntity, id, {
      name: ERASED_PATIENT_NAME,
      nameKana: null,
      birthDate: null,
      address: null,
      erasedAt: new Date(),
    });
  }

  /** When each of these staff members left (退職), for those who have: retention counts from it. */
  async staffLeftDates(ids: string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const staff = await this.dataSource.getRepository(StaffMemberEntity).findBy({ id: In([...new Set(ids)]) });
    return new Map(staff.filter((s) => s.leftAt).map((s) => [s.id, s.leftAt!]));
  }

  async addPatient(user: CurrentUser, input: PatientInput): Promise<PatientWithFamily> {
    const officeId = requireOffice(user);
    const errors: FieldError[] = [];
    const name = text(input.name, 'name', '氏名', errors, { required: true, max: 40 });
    const birthDate = text(input.birthDate, 'birthDate', '生年月日', errors, {});
    if (birthDate && !/^\d{4}-\d{2}-\d{2}$/.test(birthDate))
      errors.push({ path: 'birthDate', label: '生年月日', message: '生年月日は YYYY-MM-DD で入力してください' });
    const patient = {
      officeId,
      name: name!,
      nameKana: text(input.nameKana, 'nameKana', 'ふりがな', errors, { max: 60 }),
      birthDate,
      address: text(input.address, 'address', '住所', errors, { max: 120 }),
    };
    const family = (Array.isArray(input.family) ? input.family : []).map((member, i) => ({
      name: text(member?.name, `family[${i}].name`, '家族の氏名', errors, { required: true, max: 40 })!,
      relation: text(member?.relation, `family[${i}].relation`, '続柄', errors, { required: true, max: 20 })!,
      email: text(member?.email, `family[${i}].email`, '家族のメールアドレス', errors, { max: 254 }),
      phone: text(member?.phone, `family[${i}].phone`, '家族の電話番号', errors, { max: 20 }),
    }));
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });
    return this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(manager.create(PatientEntity, patient));
      const members = await manager.save(family.map((f) => manager.create(FamilyContactEntity, { ...f, patientId: saved.id })));
      return { ...saved, family: members };
    });
  }

  async getPatient(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<PatientWithFamily> {
    const patient = await requireInTenancy(this.audit, user, await this.findPatientWithFamily(id), {
      target: { type: 'patient', id },
      covers: (p) => ownOffice(user, p.officeId),
      origin,
    });
    await this.audit.record({ action: 'patient_viewed', actor: user, target: { type: 'patient', id }, origin });
    return patient;
  }

  /** A staff member by id, whatever the office (callers check tenancy); null for an unknown or malformed id. */
  async findStaff(id: string): Promise<StaffMember | null> {
    return isUuid(id) ? this.dataSource.getRepository(StaffMemberEntity).findOneBy({ id }) : null;
  }

  /** A patient with their family, in the order they were registered; null for an unknown or malformed id. */
  async findPatientWithFamily(id: string): Promise<PatientWithFamily | null> {
    const patient = isUuid(id) ? await this.dataSource.getRepository(PatientEntity).findOneBy({ id }) : null;
    if (!patient) return null;
    const family = await this.dataSource.getRepository(FamilyContactEntity).find({ where: { patientId: id }, order: { createdAt: 'ASC' } });
    return { ...patient, family };
  }

  /** The office's manager (管理者) as its roster names them: the first active one registered. */
  managerOf(officeId: string): Promise<StaffMember | null> {
    return this.dataSource
      .getRepository(StaffMemberEntity)
      .findOne({ where: { officeId, isManager: true, active: true }, order: { createdAt: 'ASC' } });
  }

  /** The active staff of several offices at once, in the order they joined (the 事務局's matrix). */
  activeStaffOf(officeIds: string[]): Promise<StaffMember[]> {
    if (officeIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(StaffMemberEntity)
      .find({ where: { officeId: In(officeIds), active: true }, order: { createdAt: 'ASC' } });
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
    const errors: FieldError[] = [];
    const staff = { ...this.staffFields(input, errors), officeId };
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });
    const saved = await manager.save(manager.create(StaffMemberEntity, staff));
    await this.registered(manager, saved, 'add', source);
    return saved;
  }

  async updateStaff(manager: EntityManager, staffId: string, changes: StaffChanges, source: RegistrationSource = 'roster'): Promise<void> {
    await manager.update(StaffMemberEntity, staffId, changes);
    const staff = await manager.findOneBy(StaffMemberEntity, { id: staffId });
    if (staff) await this.registered(manager, staff, 'change', source);
  }

  /** 退職 inside the caller's transaction: off the roster (and the 事務局's matrix), history kept; a line to delete. */
  async markStaffLeft(manager: EntityManager, staffId: string, leftAt: Date, source: RegistrationSource = 'roster'): Promise<void> {
    await manager.update(StaffMemberEntity, staffId, { active: false, leftAt });
    const staff = await manager.findOneBy(StaffMemberEntity, { id: staffId });
    if (staff) await this.registered(manager, staff, 'delete', source);
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

  /** The staff form's rules, for a new entry and a change alike. */
  private staffFields(input: StaffInput, errors: FieldError[]) {
    const name = text(input.name, 'name', '氏名', errors, { required: true, max: 40 });
    const email = text(input.email, 'email', 'メールアドレス', errors, { max: 254 });
    if (email && !looksLikeEmail(email))
      errors.push({ path: 'email', label: 'メールアドレス', message: 'メールアドレスの形式が正しくありません' });
    return {
      officeId: '',
      name: name!,
      nameKana: text(input.nameKana, 'nameKana', 'ふりがな', errors, { max: 60 }),
      jobTitle: text(input.jobTitle, 'jobTitle', '職種', errors, { max: 20 }),
      email,
      isManager: input.isManager === true,
      active: true,
    };
  }

  /** The office's active staff member with this e-mail, matched as a roster matches it: case aside. */
  findActiveStaffByEmail(manager: EntityManager, officeId: string, email: string): Promise<StaffMember | null> {
    return manager
      .getRepository(StaffMemberEntity)
      .createQueryBuilder('s')
      .where('s.officeId = :officeId AND s.active AND lower(s.email) = lower(:email)', { officeId, email })
      .orderBy('s.createdAt', 'ASC')
      .getOne();
  }
}

function requireOffice(user: CurrentUser): string {
  if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '事業所の職員だけが登録できます');
  return user.officeId;
}

function text(
  value: unknown,
  path: string,
  label: string,
  errors: FieldError[],
  rule: { required?: boolean; max?: number },
): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (rule.required) errors.push({ path, label, message: `${label}は必須です` });
    return null;
  }
  if (typeof value !== 'string') {
    errors.push({ path, label, message: `${label}は文字列で指定してください` });
    return null;
  }
  const trimmed = value.trim();
  if (rule.max && trimmed.length > rule.max) errors.push({ path, label, message: `${label}は${rule.max}文字以内で入力してください` });
  return trimmed;
}
