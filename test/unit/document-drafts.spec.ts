import { Office } from '../../src/accounts/accounts.types';
import { CurrentUser } from '../../src/common/auth/current-user';
import { OfficesService } from '../../src/accounts/offices.service';
import { UsersService } from '../../src/accounts/users.service';
import { AuditEntry, AuditService } from '../../src/audit/audit.service';
import { DomainError } from '../../src/common/errors/domain-error';
import { DocumentDraftsService } from '../../src/documents/document-drafts.service';
import { FormDefinition } from '../../src/networks/catalogue.types';
import { NetworksService } from '../../src/networks/networks.service';
import { PeopleService } from '../../src/people/people.service';
import { PatientWithFamily, StaffMember } from '../../src/people/people.types';

/** The drafting service with its neighbours faked at their services: no database, no catalogue files. */

const OFFICE: Office = {
  id: '11111111-1111-4111-8111-111111111111',
  networkId: 'testnet',
  name: '試験訪問看護',
  postalCode: '100-0001',
  address: '東京都千代田区1-1',
  phone: '03-0000-0000',
  createdAt: new Date(),
};
const OTHER_OFFICE_ID = '22222222-2222-4222-8222-222222222222';
const STAFF_ID = '33333333-3333-4333-8333-333333333333';
const PATIENT_ID = '44444444-4444-4444-8444-444444444444';

const staffMember = (officeId: string, overrides: Partial<StaffMember> = {}): StaffMember => ({
  id: STAFF_ID,
  officeId,
  name: '試験 花子',
  nameKana: 'しけん はなこ',
  jobTitle: '看護師',
  email: 'hanako@example.jp',
  gender: null,
  joinedOn: null,
  isManager: false,
  active: true,
  userId: null,
  createdAt: new Date(),
  leftAt: null,
  ...overrides,
});

const patient = (officeId: string): PatientWithFamily => ({
  id: PATIENT_ID,
  officeId,
  name: '試験 ハル',
  nameKana: null,
  birthDate: '1940-01-02',
  address: '東京都千代田区2-2',
  phone: null,
  createdAt: new Date(),
  suspendedAt: null,
  erasedAt: null,
  family: [
    {
      id: 'f1',
      patientId: PATIENT_ID,
      name: '試験 健太',
      relation: '長男',
      email: null,
      phone: null,
      address: null,
      position: 0,
      createdAt: new Date(),
    },
    {
      id: 'f2',
      patientId: PATIENT_ID,
      name: '試験 美咲',
      relation: '長女',
      email: null,
      phone: null,
      address: null,
      position: 1,
      createdAt: new Date(),
    },
  ],
});

const forms: Record<string, Pick<FormDefinition, 'id' | 'subject' | 'purpose' | 'prefill'>> = {
  seiyaku: {
    id: 'seiyaku',
    subject: 'staff',
    purpose: 'pledge',
    prefill: { shimei: 'staff.name', jigyousho: 'office.name', kanrisha: 'manager.name', hiduke: 'issueDate' },
  },
  doui: {
    id: 'doui',
    subject: 'patient',
    purpose: 'consent',
    prefill: {
      kanja: { shimei: 'patient.name', juusho: 'patient.address' },
      kazoku: { each: 'family', row: { shimei: 'name', zokugara: 'relation' } },
      setsumeisha: 'user.name',
    },
  },
  moushikomi: { id: 'moushikomi', subject: 'office', purpose: 'application', prefill: { jigyousho: 'office.name', tel: 'office.phone' } },
  riyou: {
    id: 'riyou',
    subject: 'office',
    purpose: 'application',
    prefill: { jigyousho: 'office.name', riyousha: { each: 'roster', row: { shimei: 'name', mail: 'email', shokushu: 'jobTitle' } } },
  },
};

const manager: CurrentUser = {
  id: 'u1',
  email: 'm@example.jp',
  name: '試験 管理',
  role: 'office_manager',
  officeId: OFFICE.id,
  networkId: null,
};
const clerk: CurrentUser = { ...manager, id: 'u2', name: '試験 事務', role: 'office_staff' };

function setUp(
  found: {
    staff?: StaffMember | null;
    patient?: PatientWithFamily | null;
    rosterManager?: StaffMember | null;
    roster?: StaffMember[];
    accounts?: CurrentUser[];
  } = {},
) {
  const audited: AuditEntry[] = [];
  const offices = { get: async (id: string) => ({ ...OFFICE, id }) } as unknown as OfficesService;
  const people = {
    managerOf: async () => found.rosterManager ?? null,
    findStaff: async () => found.staff ?? null,
    findPatientWithFamily: async () => found.patient ?? null,
    listStaff: async () => found.roster ?? [],
  } as unknown as PeopleService;
  const networks = { getForm: (_network: string, formId: string) => ({ form: forms[formId] }) } as unknown as NetworksService;
  const audit = { record: async (entry: AuditEntry) => void audited.push(entry) } as unknown as AuditService;
  const users = { ofOffice: async () => found.accounts ?? [] } as unknown as UsersService;
  return { drafts: new DocumentDraftsService(offices, people, networks, audit, users), audited };
}

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('drafting a document from the catalogue’s prefill mapping', () => {
  it('fills a staff member’s pledge from the staff member, the office and its roster’s manager', async () => {
    const { drafts } = setUp({ staff: staffMember(OFFICE.id), rosterManager: staffMember(OFFICE.id, { name: '名簿 管理者' }) });
    const draft = await drafts.draft(clerk, 'seiyaku', STAFF_ID, null);
    expect(draft.office.id).toBe(OFFICE.id);
    expect(draft.data).toEqual({ shimei: '試験 花子', jigyousho: '試験訪問看護', kanrisha: '名簿 管理者' });
  });

  it('names the logged-in office manager when the roster has no manager, else the office’s manager account', async () => {
    const { drafts } = setUp({ staff: staffMember(OFFICE.id) });
    expect((await drafts.draftData(manager, 'seiyaku', STAFF_ID, null)).kanrisha).toBe('試験 管理');
    // A clerk's sheet names the office's manager account (a staff-change notice drafted by a clerk's change).
    const withAccount = setUp({ staff: staffMember(OFFICE.id), accounts: [clerk, { ...manager, id: 'u3', name: '口座 管理' }] });
    expect((await withAccount.drafts.draftData(clerk, 'seiyaku', STAFF_ID, null)).kanrisha).toBe('口座 管理');
    expect(await withAccount.drafts.managerOf(OFFICE.id, clerk)).toEqual({ name: '口座 管理', email: 'm@example.jp' });
    // An office with no manager at all: nobody is made up.
    expect((await drafts.draftData(clerk, 'seiyaku', STAFF_ID, null)).kanrisha).toBeUndefined();
  });

  it('fills a consent from the patient and every family member in order, and the explaining user', async () => {
    const { drafts } = setUp({ patient: patient(OFFICE.id) });
    expect(await drafts.draftData(clerk, 'doui', PATIENT_ID, null)).toEqual({
      kanja: { shimei: '試験 ハル', juusho: '東京都千代田区2-2' },
      kazoku: [
        { shimei: '試験 健太', zokugara: '長男' },
        { shimei: '試験 美咲', zokugara: '長女' },
      ],
      setsumeisha: '試験 事務',
    });
  });

  it('needs no subject for a form about the office', async () => {
    const { drafts } = setUp();
    expect(await drafts.draftData(clerk, 'moushikomi', null, null)).toEqual({ jigyousho: '試験訪問看護', tel: '03-0000-0000' });
  });

  it('lists the active roster in an application (its users, 利用者) where the catalogue maps it', async () => {
    const roster = [staffMember(OFFICE.id), staffMember(OFFICE.id, { name: '試験 次郎', email: null, jobTitle: '薬剤師' })];
    const { drafts } = setUp({ roster });
    expect(await drafts.draftData(clerk, 'riyou', null, null)).toEqual({
      jigyousho: '試験訪問看護',
      riyousha: [
        { shimei: '試験 花子', mail: 'hanako@example.jp', shokushu: '看護師' },
        { shimei: '試験 次郎', shokushu: '薬剤師' },
      ],
    });
  });

  it('asks for the subject a staff or patient form is about', async () => {
    const { drafts } = setUp();
    const error = await refusal(drafts.draftData(clerk, 'seiyaku', null, null));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details).toEqual({ errors: [{ path: 'subjectId', label: '従事者', message: '対象を選んでください' }] });
    expect((await refusal(drafts.draftData(clerk, 'doui', 'not-a-uuid', null))).code).toBe('INVALID_REQUEST');
  });

  it('answers another office’s staff member or patient exactly like a missing one, and audits the attempt', async () => {
    const missing = await refusal(setUp().drafts.draftData(clerk, 'seiyaku', STAFF_ID, null));
    const { drafts, audited } = setUp({ staff: staffMember(OTHER_OFFICE_ID), patient: patient(OTHER_OFFICE_ID) });
    const foreign = await refusal(drafts.draftData(clerk, 'seiyaku', STAFF_ID, null));
    expect([foreign.code, foreign.message]).toEqual([missing.code, missing.message]);
    expect((await refusal(drafts.draftData(clerk, 'doui', PATIENT_ID, null))).code).toBe('NOT_FOUND');
    expect(audited).toEqual([
      expect.objectContaining({ action: 'access_denied', actor: clerk, target: { type: 'staff_member', id: STAFF_ID } }),
      expect.objectContaining({ action: 'access_denied', actor: clerk, target: { type: 'patient', id: PATIENT_ID } }),
    ]);
  });

  it('drafts for office users only', async () => {
    const { drafts } = setUp();
    const secretariat: CurrentUser = { ...manager, role: 'secretariat', officeId: null, networkId: 'testnet' };
    expect((await refusal(drafts.draftData(secretariat, 'moushikomi', null, null))).code).toBe('FORBIDDEN');
    expect((await refusal(drafts.networkOf(secretariat))).code).toBe('FORBIDDEN');
    expect(await drafts.networkOf(clerk)).toBe('testnet');
  });
});
