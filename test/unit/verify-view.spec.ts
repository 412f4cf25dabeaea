import { Verification } from '../../src/signing/verification.service';
import { verificationLines } from '../../src/web/verify.view';

const sealed: Verification = {
  sealedByService: true,
  altered: false,
  documentNumber: 'RURUME-000001',
  form: '別紙4 同意書',
  network: 'るるめネット',
  sealedAt: '2026年12月6日 12:00',
  timestamp: null,
  level: 'B-LTA',
  timestamps: [
    { kind: 'signature', time: '2026-12-06T03:00:00.000Z', issuer: 'TSA (Org)' },
    { kind: 'document', time: '2026-12-06T03:00:01.000Z', issuer: 'TSA (Org)' },
  ],
  verifiableUntil: '2031-03-31T14:59:59.000Z',
  state: 'valid',
  stateSince: null,
  message: '',
};

describe('the /verify page says the verdict in plain Japanese', () => {
  it('names the level, each timestamp in Japan time, and the day until which the file verifies', () => {
    const lines = verificationLines(sealed);
    expect(lines.level).toContain('長期署名（PAdES B-LTA）');
    expect(lines.timestamps).toEqual([
      '署名タイムスタンプ: 2026年12月6日 12:00:00　発行: TSA (Org)',
      '文書タイムスタンプ: 2026年12月6日 12:00:01　発行: TSA (Org)',
    ]);
    expect(lines.until).toMatch(/^2031年3月31日まで、/); // 23:59:59 JST that day
    expect(lines.state).toContain('現在も有効な文書です');
    expect(verificationLines({ ...sealed, level: 'B-B', timestamps: [], verifiableUntil: null }).level).toContain(
      'タイムスタンプがないため',
    );
  });

  it.each([
    ['revoked', '2026-12-10', 'この同意は2026年12月10日に撤回されました'],
    ['withdrawn', '2026-12-11', 'この文書は2026年12月11日に取り下げられました'],
    ['superseded', '2026-12-12', 'この文書は2026年12月12日に署名された訂正版に差し替えられています'],
  ] as const)('says a document %s, and since when', (state, since, text) => {
    expect(verificationLines({ ...sealed, state, stateSince: since }).state).toContain(text);
  });

  it('says nothing of level or state for a file that is not ours', () => {
    expect(
      verificationLines({ ...sealed, sealedByService: false, level: null, timestamps: [], verifiableUntil: null, state: null }),
    ).toEqual({
      level: null,
      timestamps: [],
      until: null,
      state: null,
    });
  });
});
