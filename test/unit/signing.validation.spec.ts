import { DomainError, FieldError } from '../../src/common/errors/domain-error';
import { SignerRole } from '../../src/networks/catalogue.types';
import { PNG } from 'pngjs';
import { assertSignable, assertTurn, isChecked, mayStart, validateSignature, validateSigners } from '../../src/signing/signing.validation';
import { signaturePng } from '../support/png';

const family: SignerRole = { role: 'family1', label: '家族', required: true, kind: 'family' };
const explainer: SignerRole = { role: 'explainer', label: '説明者', required: true, kind: 'staff' };
const proxy: SignerRole = { role: 'proxy', label: '代筆者', required: false, kind: 'proxy' };
const roles = [family, explainer, proxy];

/** The field errors of the DomainError `work` throws. */
function errorsOf(work: () => unknown): FieldError[] {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_REQUEST');
    return (error as DomainError).details!.errors as FieldError[];
  }
  throw new Error('no error was thrown');
}

describe('signer validation', () => {
  it('accepts the form’s roles, trimming names, defaulting to e-mail and cutting 続柄 to 20 characters', () => {
    const signers = validateSigners(roles, [
      { role: 'family1', name: ' 署名 健太 ', email: 'kenta@example.jp', relation: '長男'.repeat(15), accessCode: '1234' },
      { role: 'explainer', name: '説明 看護師', method: 'in_person' },
    ]);
    expect(signers).toEqual([
      { role: family, name: '署名 健太', email: 'kenta@example.jp', method: 'email', accessCode: '1234', relation: '長男'.repeat(10) },
      { role: explainer, name: '説明 看護師', email: null, method: 'in_person', accessCode: null, relation: null },
    ]);
  });

  it('reports every problem at once, each at its path', () => {
    const errors = errorsOf(() =>
      validateSigners(roles, [
        { role: 'family1', name: '', email: 'not-an-address', accessCode: '12' },
        { role: 'family1', name: 'x'.repeat(41), method: 'fax' },
        { role: 'nobody', name: '誰か' },
      ]),
    );
    expect(errors.map((e) => e.path)).toEqual([
      'signers[0].name',
      'signers[0].email',
      'signers[0].accessCode',
      'signers[1].role',
      'signers[1].name',
      'signers[1].method',
      'signers[2].role',
      'signers',
    ]);
    expect(errors[3].message).toBe('家族が二度指定されています');
    expect(errors[6].message).toContain('family1（家族）');
    expect(errors[7].message).toBe('説明者の署名者を指定してください（必須）');
  });

  it('asks for at least one signer', () => {
    const errors = errorsOf(() => validateSigners([proxy], undefined));
    expect(errors).toEqual([{ path: 'signers', label: '署名者', message: '署名者を1人以上指定してください' }]);
  });
});

describe('signature validation', () => {
  it('accepts a typed or a drawn signature, with 続柄 for family', () => {
    expect(validateSignature(family, { consent: 'on', signatureKind: 'typed', typedName: ' 署名 健太 ', relation: '長男' })).toEqual({
      kind: 'typed',
      image: null,
      typedName: '署名 健太',
      relation: '長男',
      proxyReason: null,
    });
    const png = signaturePng();
    const drawn = validateSignature(explainer, { consent: true, signatureKind: 'drawn', signatureImage: png });
    expect(drawn).toMatchObject({ kind: 'drawn', image: expect.stringMatching(/^data:image\/png;base64,/), relation: null });
    // Kept as decoded and written anew: the same pixels, not the same bytes.
    const pixels = (dataUrl: string) => PNG.sync.read(Buffer.from(dataUrl.split(',')[1], 'base64'));
    expect(pixels(drawn.image!).data.equals(pixels(png).data)).toBe(true);
  });

  it('refuses a missing consent, an image that is not a PNG, and a proxy without 続柄 or reason', () => {
    const fake = `data:image/png;base64,${Buffer.alloc(200, 1).toString('base64')}`;
    expect(
      errorsOf(() => validateSignature(proxy, { consent: 'false', signatureKind: 'drawn', signatureImage: fake })).map((e) => e.path),
    ).toEqual(['consent', 'signatureImage', 'relation', 'proxyReason']);
    expect(errorsOf(() => validateSignature(explainer, { consent: true, signatureKind: 'typed', typedName: ' ' }))[0].path).toBe(
      'typedName',
    );
    expect(errorsOf(() => validateSignature(explainer, { consent: true }))[0].path).toBe('signatureKind');
  });
});

describe('who may sign, and when', () => {
  const open = { status: 'open' as const, expiresAt: new Date(Date.now() + 60_000) };

  it('lets a pending signer sign an open, unexpired request only', () => {
    expect(() => assertSignable(open, { status: 'pending' })).not.toThrow();
    const codeOf = (
      request: typeof open | { status: 'cancelled' | 'expired'; expiresAt: Date },
      status: 'pending' | 'signed' | 'declined',
    ) => {
      try {
        assertSignable(request, { status });
      } catch (error) {
        return (error as DomainError).code;
      }
      return null;
    };
    expect(codeOf(open, 'signed')).toBe('ALREADY_SIGNED');
    expect(codeOf({ ...open, expiresAt: new Date(Date.now() - 1) }, 'pending')).toBe('LINK_EXPIRED');
    expect(codeOf({ status: 'expired', expiresAt: open.expiresAt }, 'pending')).toBe('LINK_EXPIRED');
    expect(codeOf({ status: 'cancelled', expiresAt: open.expiresAt }, 'pending')).toBe('REQUEST_CLOSED');
    expect(codeOf(open, 'declined')).toBe('REQUEST_CLOSED');
  });

  it('sends links by e-mail only, and in an ordered request only to the first signer still pending', () => {
    const all = [
      { id: 'a', status: 'signed' as const, position: 0 },
      { id: 'b', status: 'pending' as const, position: 2 },
      { id: 'c', status: 'pending' as const, position: 1 },
    ];
    expect(mayStart({ ordered: true }, all, { id: 'c', method: 'email' })).toBe(true);
    expect(mayStart({ ordered: true }, all, { id: 'b', method: 'email' })).toBe(false);
    expect(mayStart({ ordered: false }, all, { id: 'b', method: 'email' })).toBe(true);
    expect(mayStart({ ordered: false }, all, { id: 'b', method: 'in_person' })).toBe(false);
  });

  it('reads a checkbox as JSON or a web form sends it', () => {
    expect([true, 'true', 'on'].map(isChecked)).toEqual([true, true, true]);
    expect([false, 'false', undefined, 1].map(isChecked)).toEqual([false, false, false, false]);
  });

  it('in an ordered request, lets a signer sign only once everyone above has signed', () => {
    const all = [
      { id: 'a', position: 0, status: 'signed' as const, name: '一番 目', roleLabel: '患者' },
      { id: 'b', position: 1, status: 'pending' as const, name: '二番 目', roleLabel: '家族' },
      { id: 'c', position: 2, status: 'pending' as const, name: '三番 目', roleLabel: '説明者' },
    ];
    expect(() => assertTurn({ ordered: true }, all, all[1], 'office')).not.toThrow();
    expect(() => assertTurn({ ordered: true }, all, all[2], 'office')).toThrow('先に 二番 目 さん（家族）の署名が必要です');
    expect(() => assertTurn({ ordered: true }, all, all[2], 'family')).toThrow('前の方の署名がまだ済んでいません');
    expect(() => assertTurn({ ordered: false }, all, all[2], 'office')).not.toThrow();
    // A declined signer above does not let the next one through.
    const declined = all.map((s) => (s.id === 'b' ? { ...s, status: 'declined' as const } : s));
    expect(() => assertTurn({ ordered: true }, declined, declined[2], 'office')).toThrow('二番 目');
  });
});
