import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { FamilyContactEntity, PatientEntity } from './patient.entity';
import { ERASED_PATIENT_NAME, Patient, PatientWithFamily, StaffChanges, StaffMember } from './people.types';
import { StaffMemberEntity } from './staff-member.entity';

type StaffColumns = Pick<
  StaffMember,
  'officeId' | 'name' | 'nameKana' | 'jobTitle' | 'email' | 'gender' | 'joinedOn' | 'isManager' | 'active'
>;
type PatientColumns = Pick<Patient, 'name' | 'nameKana' | 'birthDate' | 'address' | 'phone'>;
type FamilyColumns = Pick<FamilyContactEntity, 'name' | 'relation' | 'email' | 'phone' | 'address'>;

/** The office's roster, patients and family contacts: every query of the people feature. */
@Injectable()
export class PeopleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listStaff(officeId: string, includeFormer: boolean): Promise<StaffMember[]> {
    return this.dataSource.getRepository(StaffMemberEntity).find({
      where: includeFormer ? { officeId } : { officeId, active: true },
      order: { createdAt: 'ASC' },
    });
  }

  findStaff(id: string, manager: EntityManager = this.dataSource.manager): Promise<StaffMember | null> {
    return manager.findOneBy(StaffMemberEntity, { id });
  }

  staffByIds(ids: string[]): Promise<StaffMember[]> {
    return this.dataSource.getRepository(StaffMemberEntity).findBy({ id: In(ids) });
  }

  /** The office's manager (管理者) as its roster names them: the first active one registered. */
  managerOf(officeId: string): Promise<StaffMember | null> {
    return this.dataSource
      .getRepository(StaffMemberEntity)
      .findOne({ where: { officeId, isManager: true, active: true }, order: { createdAt: 'ASC' } });
  }

  activeManagersOf(officeIds: string[]): Promise<StaffMember[]> {
    return this.dataSource
      .getRepository(StaffMemberEntity)
      .find({ where: { officeId: In(officeIds), isManager: true, active: true }, order: { createdAt: 'ASC' } });
  }

  activeStaffOf(officeIds: string[]): Promise<StaffMember[]> {
    return this.dataSource
      .getRepository(StaffMemberEntity)
      .find({ where: { officeId: In(officeIds), active: true }, order: { createdAt: 'ASC' } });
  }

  /** Matched as a roster matches it: case aside; the first registered wins. */
  findActiveStaffByEmail(manager: EntityManager, officeId: string, email: string): Promise<StaffMember | null> {
    return manager
      .getRepository(StaffMemberEntity)
      .createQueryBuilder('s')
      .where('s.officeId = :officeId AND s.active AND lower(s.email) = lower(:email)', { officeId, email })
      .orderBy('s.createdAt', 'ASC')
      .getOne();
  }

  insertStaff(manager: EntityManager, staff: StaffColumns): Promise<StaffMember> {
    return manager.save(manager.create(StaffMemberEntity, staff));
  }

  async updateStaff(manager: EntityManager, staffId: string, changes: StaffChanges): Promise<void> {
    await manager.update(StaffMemberEntity, staffId, changes);
  }

  /** Only an active member leaves: of two clicks at once, one changes the row. False if already left. */
  async markStaffLeft(manager: EntityManager, staffId: string, leftAt: Date): Promise<boolean> {
    const changed = await manager.update(StaffMemberEntity, { id: staffId, active: true }, { active: false, leftAt });
    return Boolean(changed.affected);
  }

  listPatients(officeId: string): Promise<Patient[]> {
    return this.dataSource.getRepository(PatientEntity).find({ where: { officeId, erasedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  patientsByIds(ids: string[]): Promise<Patient[]> {
    return this.dataSource.getRepository(PatientEntity).findBy({ id: In(ids) });
  }

  async findPatientWithFamily(id: string): Promise<PatientWithFamily | null> {
    const patient = await this.dataSource.getRepository(PatientEntity).findOneBy({ id });
    if (!patient) return null;
    const family = await this.dataSource
      .getRepository(FamilyContactEntity)
      .find({ where: { patientId: id }, order: { position: 'ASC', createdAt: 'ASC' } });
    return { ...patient, family };
  }

  lockPatient(manager: EntityManager, id: string): Promise<Patient | null> {
    return manager.getRepository(PatientEntity).createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :id', { id }).getOne();
  }

  async suspendPatient(manager: EntityManager, id: string): Promise<void> {
    await manager.update(PatientEntity, { id, suspendedAt: IsNull() }, { suspendedAt: new Date() });
  }

  /** The family contacts go; the patient's row keeps only its id, office and dates (documents still point to it). */
  async erasePatient(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(FamilyContactEntity, { patientId: id });
    await manager.update(PatientEntity, id, {
      name: ERASED_PATIENT_NAME,
      nameKana: null,
      birthDate: null,
      address: null,
      phone: null,
      erasedAt: new Date(),
    });
  }

  async insertPatient(
    manager: EntityManager,
    officeId: string,
    patient: PatientColumns,
    family: FamilyColumns[],
  ): Promise<PatientWithFamily> {
    const saved = await manager.save(manager.create(PatientEntity, { ...patient, officeId }));
    const members = await manager.save(
      family.map((f, position) => manager.create(FamilyContactEntity, { ...f, position, patientId: saved.id })),
    );
    return { ...saved, family: members };
  }

  /**
   * The patient's details and family as the edit form sends them: a row with the id of a kept contact changes
   * it, a row without one is a new contact, and the contacts in `removed` go.
   */
  async updatePatient(
    manager: EntityManager,
    patientId: string,
    patient: PatientColumns,
    family: Array<FamilyColumns & { id: string | null }>,
    kept: Set<string>,
    removed: string[],
  ): Promise<void> {
    await manager.update(PatientEntity, patientId, patient);
    if (removed.length) await manager.delete(FamilyContactEntity, { id: In(removed), patientId });
    for (const [position, { id: contactId, ...fields }] of family.entries()) {
      if (contactId && kept.has(contactId))
        await manager.update(FamilyContactEntity, { id: contactId, patientId }, { ...fields, position });
      else await manager.save(manager.create(FamilyContactEntity, { ...fields, position, patientId }));
    }
  }
}
