import { RetentionFacts } from '../../src/documents/documents.types';
import { addYears, retentionStart } from '../../src/rights/retention.service';

const doc = (facts: Partial<RetentionFacts>): RetentionFacts => ({
  id: 'd',
  number: 'RURUME-000001',
  networkId: 'rurume',
  formId: 'patient-consent',
  officeId: 'o',
  subjectType: 'patient',
  subjectId: 'p',
  status: 'signed',
  createdAt: new Date('2020-03-31T15:30:00Z'), // 1 April 2020 in Japan
  issuedAt: null,
  endedOn: null,
  supersededAt: null,
  ...facts,
});

describe('retention: when a document is past its form’s retention', () => {
  it('counts years from a date, 29 February running to 1 March', () => {
    expect(addYears('2020-04-01', 5)).toBe('2025-04-01');
    expect(addYears('2024-02-29', 1)).toBe('2025-03-01');
  });

  it('starts at the issue date (in Japan) for forms kept from their issue, the creation date for one never issued', () => {
    const rule = { years: 5, from: 'issued' as const };
    expect(retentionStart(doc({ issuedAt: new Date('2021-06-30T16:00:00Z') }), rule, null)).toBe('2021-07-01');
    expect(retentionStart(doc({}), rule, null)).toBe('2020-04-01');
  });

  it('never starts for a consent still in use; starts when it is revoked, withdrawn or superseded by a signed correction', () => {
    const rule = { years: 5, from: 'end_of_use' as const };
    expect(retentionStart(doc({}), rule, null)).toBeNull();
    expect(retentionStart(doc({ status: 'revoked', endedOn: '2022-02-03' }), rule, null)).toBe('2022-02-03');
    expect(retentionStart(doc({ status: 'withdrawn', endedOn: '2022-05-06' }), rule, null)).toBe('2022-05-06');
    expect(retentionStart(doc({ supersededAt: new Date('2023-01-01T00:00:00Z') }), rule, null)).toBe('2023-01-01');
  });

  it("starts for a staff member's pledge the day they left, and not while they stay", () => {
    const rule = { years: 5, from: 'end_of_use' as const };
    const pledge = doc({ formId: 'staff-pledge', subjectType: 'staff', subjectId: 's' });
    expect(retentionStart(pledge, rule, null)).toBeNull();
    expect(retentionStart(pledge, rule, new Date('2019-03-31T03:00:00Z'))).toBe('2019-03-31');
    // A patient's document does not end because some staff member left.
    expect(retentionStart(doc({}), rule, new Date('2019-03-31T03:00:00Z'))).toBeNull();
  });
});
