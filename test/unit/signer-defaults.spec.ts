import { SignerRole } from '../../src/networks/catalogue.types';
import { FamilyContact } from '../../src/people/people.types';
import { signerDefaults } from '../../src/web/signer-defaults';

const role = (r: string, kind: SignerRole['kind']): SignerRole => ({ role: r, label: r, required: false, kind });
const contact = (name: string, relation: string, email: string | null, position: number): FamilyContact => ({
  id: `f${position}`,
  patientId: 'p',
  name,
  relation,
  email,
  phone: null,
  address: null,
  position,
  createdAt: new Date(),
});

describe('the signing form filled from what is known', () => {
  const roles = [
    role('patient', 'patient'),
    role('family1', 'family'),
    role('family2', 'family'),
    role('proxy', 'proxy'),
    role('explainer', 'staff'),
  ];
  const family = [contact('山田 一郎', '長男', 'ichiro@example.jp', 0), contact('山田 花子', '長女', null, 1)];

  it("takes names from the document's groups and e-mails from the family contact of the same name", () => {
    const data = {
      patient: { name: '山田 ハル' },
      family1: { name: '山田花子', relation: '長女（同居）' },
      proxy: { name: '山田 一郎', relation: '長男' },
      explainer: { name: '看護 一美' },
    };
    expect(signerDefaults(roles, data, family, null)).toEqual([
      { name: '', relation: '', email: '', method: 'in_person' },
      { name: '山田花子', relation: '長女（同居）', email: '', method: 'in_person' },
      { name: '山田 花子', relation: '長女', email: '', method: 'in_person' },
      { name: '山田 一郎', relation: '長男', email: 'ichiro@example.jp', method: 'email' },
      { name: '看護 一美', relation: '', email: '', method: 'in_person' },
    ]);
  });

  it('fills family roles in order from the contacts when the document names nobody, and a pledge from its staff member', () => {
    const filled = signerDefaults(roles, {}, family, null);
    expect(filled.slice(1, 3).map((s) => [s.name, s.relation, s.email])).toEqual([
      ['山田 一郎', '長男', 'ichiro@example.jp'],
      ['山田 花子', '長女', ''],
    ]);
    expect(filled[3]).toEqual({ name: '', relation: '', email: '', method: 'in_person' });
    expect(signerDefaults([role('staff', 'staff')], {}, [], { name: '職員 早苗', email: 'sanae@example.jp' })).toEqual([
      { name: '職員 早苗', relation: '', email: 'sanae@example.jp', method: 'email' },
    ]);
  });

  it('asks the office’s 管理者 to sign the office’s sheets (a staff-change notice), the optional second manager role left blank', () => {
    const manager = { name: '管理 太郎', email: 'kanri@example.jp' };
    const roles = [{ ...role('representative', 'manager'), required: true }, role('manager', 'manager')];
    expect(signerDefaults(roles, {}, [], null, manager)).toEqual([
      { name: '管理 太郎', relation: '', email: 'kanri@example.jp', method: 'email' },
      { name: '', relation: '', email: '', method: 'in_person' },
    ]);
    // A name the document already gives is kept; the manager's address is not sent to somebody else.
    const named = signerDefaults(roles, { representative: { name: '代表 一郎' } }, [], null, manager);
    expect(named[0]).toEqual({ name: '代表 一郎', relation: '', email: '', method: 'in_person' });
    // An office with no 管理者 known: the row stays for the office to fill.
    expect(signerDefaults(roles, {}, [], null, null)[0]).toEqual({ name: '', relation: '', email: '', method: 'in_person' });
  });
});
