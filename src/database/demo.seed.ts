import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { toCurrentUser } from '../accounts/auth.service';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { AuditModule } from '../audit/audit.module';
import { CoreModule } from '../core.module';
import { CustodyModule } from '../custody/custody.module';
import { CustodyService } from '../custody/custody.service';
import { DocumentsModule } from '../documents/documents.module';
import { DocumentsService } from '../documents/documents.service';
import { FormPurpose, FormSubject } from '../networks/catalogue.types';
import { NetworksModule } from '../networks/networks.module';
import { NetworksService } from '../networks/networks.service';
import { PeopleModule } from '../people/people.module';
import { PeopleService } from '../people/people.service';
import { RightsModule } from '../rights/rights.module';
import { RightsRequestsService } from '../rights/rights-requests.service';
import { todayInJapan } from '../common/japan-date';
import { DEMO_OFFICE } from './database.setup';

export const DEMO_PASSWORD = 'renkei-demo-2026';
export const DEMO_USERS = {
  admin: 'admin@demo.example.jp',
  secretariat: 'jimukyoku@demo.example.jp',
  manager: 'manager@demo.example.jp',
  staff: 'staff@demo.example.jp',
};

/** The services a seed needs, without HTTP or Chromium (printing is queued for the worker). */
@Module({ imports: [CoreModule, AuditModule, AccountsModule, NetworksModule, PeopleModule, CustodyModule, DocumentsModule, RightsModule] })
export class SeedModule {}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

/**
 * A living demo for るるめネット: three offices, their staff and documents in every state the
 * secretariat's matrix shows (received, in transit, overdue, signed, issued, missing). Runs once.
 * Everything goes through the features' services (the second argument is no longer used).
 */
export async function seedDemo(get: <T>(type: new (...args: never[]) => T) => T, _dataSource?: unknown): Promise<boolean> {
  const users = get(UsersService);
  if (await users.findByEmail(DEMO_USERS.admin)) return false;
  const offices = get(OfficesService);
  const people = get(PeopleService);
  const documents = get(DocumentsService);
  const custody = get(CustodyService);
  const forms = get(NetworksService).getNetwork(DEMO_OFFICE.networkId).forms;
  const formFor = (subject: FormSubject, purpose: FormPurpose) => forms.find((f) => f.subject === subject && f.purpose === purpose)!.id;
  const officePledge = formFor('office', 'pledge');
  const staffPledge = formFor('staff', 'pledge');

  const demo = (await offices.inNetwork(DEMO_OFFICE.networkId)).find((o) => o.name === DEMO_OFFICE.name);
  if (!demo) throw new Error(`the demo office ${DEMO_OFFICE.name} is missing: set up the database first`);
  const clinic = await offices.create({
    networkId: 'rurume',
    name: '東久留米在宅クリニック',
    postalCode: '203-0054',
    address: '東京都東久留米市中央町2-2-2',
    phone: '042-000-1111',
  });
  await offices.create({
    networkId: 'rurume',
    name: 'くるめ調剤薬局',
    postalCode: '203-0021',
    address: '東京都東久留米市学園町3-3-3',
    phone: '042-000-2222',
  });

  await users.create({ email: DEMO_USERS.admin, name: 'システム管理者', password: DEMO_PASSWORD, role: 'admin' });
  const secretariat = toCurrentUser(
    await users.create({
      email: DEMO_USERS.secretariat,
      name: '事務局 佐々木',
      password: DEMO_PASSWORD,
      role: 'secretariat',
      networkId: 'rurume',
    }),
  );
  const manager = toCurrentUser(
    await users.create({
      email: DEMO_USERS.manager,
      name: '管理 太郎',
      password: DEMO_PASSWORD,
      role: 'office_manager',
      officeId: demo.id,
    }),
  );
  await users.create({ email: DEMO_USERS.staff, name: '山田 花子', password: DEMO_PASSWORD, role: 'office_staff', officeId: demo.id });
  const clinicManager = toCurrentUser(
    await users.create({
      email: 'clinic@demo.example.jp',
      name: '院長 一郎',
      password: DEMO_PASSWORD,
      role: 'office_manager',
      officeId: clinic.id,
    }),
  );

  const staff = async (user: CurrentUser, name: string, jobTitle: string, email: string, isManager = false) =>
    people.addStaff(user, { name, jobTitle, email, isManager });
  const taro = await staff(manager, '管理 太郎', '看護師', 'taro.kanri@demo.example.jp', true);
  const hanako = await staff(manager, '山田 花子', '看護師', 'hanako.yamada@demo.example.jp');
  const jiro = await staff(manager, '佐藤 次郎', '理学療法士', 'jiro.sato@demo.example.jp');
  await staff(manager, '鈴木 三奈', '看護師', 'mina.suzuki@demo.example.jp');
  const ichiro = await staff(clinicManager, '院長 一郎', '医師', 'ichiro@demo.example.jp', true);
  await staff(clinicManager, '受付 二葉', '医療事務', 'futaba@demo.example.jp');

  /** Creates and issues a document, then walks its secretariat-bound original to the given stage. */
  const walk = async (
    user: CurrentUser,
    form: string,
    subjectId: string | null,
    stage: 'issued' | 'signed' | 'mailed' | 'received',
    mailedDaysAgo = 0,
  ) => {
    const draft = await documents.create(user, { form, subjectId }, null);
    const issued = await documents.issue(user, draft.id, null);
    if (stage === 'issued') return;
    await documents.recordPaperSignature(user, issued.id, null);
    if (stage === 'signed') return;
    const original = issued.exemplars.find((e) => e.kind === 'original' && e.holder === 'secretariat')!;
    await custody.record(user, original.code, 'mailed', { origin: null, occurredAt: daysAgo(mailedDaysAgo), trustedDate: true });
    if (stage === 'received')
      await custody.record(secretariat, original.code, 'received', {
        origin: null,
        occurredAt: daysAgo(mailedDaysAgo - 3),
        trustedDate: true,
      });
  };
  await walk(manager, officePledge, null, 'received', 30);
  await walk(manager, staffPledge, taro.id, 'received', 30);
  await walk(manager, staffPledge, hanako.id, 'mailed', 20);
  await walk(manager, staffPledge, jiro.id, 'signed');
  await walk(clinicManager, officePledge, null, 'mailed', 3);
  await walk(clinicManager, staffPledge, ichiro.id, 'issued');

  const patient = await people.addPatient(manager, {
    name: '田中 ハル',
    nameKana: 'たなか はる',
    birthDate: '1938-04-12',
    address: '東京都東久留米市本町4-4-4',
    family: [{ name: '田中 健太', relation: '長男', email: 'kenta.tanaka@demo.example.jp', phone: '090-0000-0000' }],
  });
  const consent = await documents.create(manager, { form: formFor('patient', 'consent'), subjectId: patient.id }, null);
  await documents.issue(manager, consent.id, null);
  // The family asked, by letter three weeks ago, what the service holds on the patient: overdue on the office page.
  await get(RightsRequestsService).record(
    manager,
    patient.id,
    {
      kind: 'disclosure',
      receivedAt: todayInJapan(daysAgo(21)),
      receivedVia: 'paper',
      detail: '保有する個人データと利用目的の開示（長男 田中 健太様より）',
    },
    null,
  );
  return true;
}
