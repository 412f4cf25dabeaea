import { custodyEventLabel } from '../../src/custody/custody.types';

describe('custodyEventLabel', () => {
  it('reads a sheet the service e-mailed as メールで送付, and one a person handed over as 家族へ手渡し', () => {
    expect(custodyEventLabel({ type: 'handed_to_family', actorId: null })).toBe('メールで送付');
    expect(custodyEventLabel({ type: 'handed_to_family', actorId: 'b1d7c3a0-0000-4000-8000-000000000001' })).toBe('家族へ手渡し');
    expect(custodyEventLabel({ type: 'mailed', actorId: null })).toBe('郵送');
  });
});
