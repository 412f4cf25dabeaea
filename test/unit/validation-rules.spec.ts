import { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { DomainError, FieldError } from '../../src/common/errors/domain-error';
import { todayInJapan } from '../../src/common/japan-date';
import { Label } from '../../src/common/validation/label';
import { Address, ADDRESS_MAX, Email, JapaneseDate, OneOf, PersonName, Phone, PostalCode } from '../../src/common/validation/rules';
import { RequestValidationPipe } from '../../src/common/validation/validation.pipe';
import { CreateApplicationDto } from '../../src/onboarding/dto/create-application.dto';
import { CreateOfficeDto } from '../../src/accounts/dto/create-office.dto';
import { CreatePatientDto, FamilyContactDto } from '../../src/people/dto/create-patient.dto';
import { ChangePasswordFormDto } from '../../src/web/dto/account-forms.dto';
import { InviteFormDto } from '../../src/web/dto/apply-form.dto';
import { AuditFilterDto } from '../../src/web/dto/audit-filter.dto';
import { DocumentFilterDto, PageOnlyDto } from '../../src/web/dto/office-lists.dto';
import { LeaveFormDto, PatientFormDto, StaffFormDto } from '../../src/web/dto/people-forms.dto';

class Sample {
  @Label('氏名') @PersonName() name!: string;
  @Label('郵便番号') @PostalCode() postalCode?: string;
  @Label('電話番号') @Phone() phone?: string;
  @Label('事業所の電話番号') @Phone({ digits: true }) officePhone?: string;
  @Label('住所') @Address() address?: string;
  @Label('メールアドレス') @Email() email?: string;
  @Label('性別') @OneOf(['男', '女']) gender?: string;
  @Label('生年月日') @JapaneseDate({ notFuture: true }) birthDate?: string;
  @Label('予定日') @JapaneseDate() plannedOn?: string;
}

/** The shared rules as the one validation pipe applies them: each field's message, or the value as checked. */
describe('validation rules (common/validation/rules.ts)', () => {
  const pipe = new RequestValidationPipe();
  const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
  const tomorrow = () => new Date(Date.now() + 9 * 3600_000 + 86_400_000).toISOString().slice(0, 10);

  async function errorsOf(value: object, type: ArgumentMetadata['metatype'] = Sample): Promise<Record<string, string>> {
    const outcome = await pipe.transform(value, body(type)).then(
      () => null,
      (e: unknown) => e,
    );
    if (outcome === null) return {};
    expect(outcome).toBeInstanceOf(DomainError);
    const errors = (outcome as DomainError).details!.errors as FieldError[];
    return Object.fromEntries(errors.map((e) => [e.path, e.message]));
  }

  it('accepts sound values, trimmed, full-width digits of a postal code or phone made ASCII, blanks left as blank', async () => {
    const value = (await pipe.transform(
      { name: ' 山田 花子 ', postalCode: '２０３－００５３', phone: ' 内線 12 ', officePhone: '０６-0000-1234', address: '', gender: '' },
      body(Sample),
    )) as Sample;
    expect(value).toMatchObject({ name: '山田 花子', postalCode: '203-0053', phone: '内線 12', officePhone: '06-0000-1234', address: '' });
    expect(await errorsOf({ name: 'a', birthDate: todayInJapan(), plannedOn: tomorrow(), email: 'a@b.jp', gender: '女' })).toEqual({});
  });

  it('refuses each kind of field with its Japanese message', async () => {
    expect(
      await errorsOf({
        name: ' ',
        postalCode: '20300',
        phone: '0'.repeat(21),
        officePhone: '06-0000-1234 内線',
        address: 'あ'.repeat(ADDRESS_MAX + 1),
        email: 'not-an-address',
        gender: '不明',
        birthDate: '2026-02-30',
        plannedOn: '1899-12-31',
      }),
    ).toEqual({
      name: '氏名は必須です',
      postalCode: '郵便番号は7桁で入力してください（例: 203-0053）',
      phone: '電話番号は20文字以内で入力してください',
      officePhone: '事業所の電話番号は数字とハイフンで入力してください（例: 06-0000-1234）',
      address: `住所は${ADDRESS_MAX}文字以内で入力してください`,
      email: 'メールアドレスの形式が正しくありません',
      gender: '性別は「男」「女」から選んでください',
      birthDate: '生年月日は正しい日付（YYYY-MM-DD）で入力してください',
      plannedOn: '予定日は1900年以降の日付を入力してください',
    });
  });

  it('refuses a future date only where it says notFuture, and text where a date belongs', async () => {
    expect(await errorsOf({ name: 'a', birthDate: tomorrow(), plannedOn: tomorrow() })).toEqual({
      birthDate: '生年月日に未来の日付は指定できません',
    });
    expect(await errorsOf({ name: ['a'], birthDate: ['2026-01-01'], plannedOn: '<script>' })).toEqual({
      name: '氏名は文字列で指定してください',
      birthDate: '生年月日は文字列で指定してください',
      plannedOn: '予定日は正しい日付（YYYY-MM-DD）で入力してください',
    });
  });

  it('is one address rule for patients, families, offices and applications alike', async () => {
    const long = 'あ'.repeat(ADDRESS_MAX + 1);
    const message = `住所は${ADDRESS_MAX}文字以内で入力してください`;
    expect((await errorsOf({ name: 'a', address: long }, CreatePatientDto)).address).toBe(message);
    // The office and application classes check their network against the app's catalogue: their rule, read from the class.
    const addressMax = (type: object, property = 'address') =>
      getMetadataStorage()
        .getTargetValidationMetadatas(type as new () => object, '', true, false)
        .filter((m) => m.propertyName === property && m.name === 'maxLength')
        .map((m) => m.constraints[0] as number);
    for (const type of [CreatePatientDto, FamilyContactDto, CreateOfficeDto, CreateApplicationDto])
      expect(addressMax(type)).toEqual([ADDRESS_MAX]);
  });

  it('checks the web forms with the API’s rules: family rows as the form sends them, paths of the rows kept', async () => {
    const family = {
      0: { name: '山田 一郎', relation: '長男', remove: 'on' },
      1: { name: '', relation: '', email: '', phone: '', address: '' },
      2: { name: '山田 次郎', relation: '次男', email: '<script>@' },
    };
    expect(await errorsOf({ name: '山田 ハル', family }, PatientFormDto)).toEqual({
      'family[0].email': '家族のメールアドレスの形式が正しくありません',
    });
    expect(await errorsOf({ name: '山田 ハル', family: 'x' }, PatientFormDto)).toEqual({ family: '家族は一覧で指定してください' });
    const many = Array.from({ length: 21 }, () => ({ name: 'a', relation: 'b' }));
    expect(await errorsOf({ name: '山田 ハル', family: many }, PatientFormDto)).toEqual({ family: '家族は20名までです' });
    const sound = { ...family, 2: { name: '山田 次郎', relation: '次男' } };
    const form = (await pipe.transform({ name: '山田 ハル', family: sound }, body(PatientFormDto))) as PatientFormDto;
    expect(form.family).toEqual([{ name: '山田 次郎', relation: '次男' }]);
  });

  it('checks a list’s filter days and page number the same way on every list', async () => {
    expect(await errorsOf({ from: '2026/12/01', to: '2026-12-31', page: '0' }, DocumentFilterDto)).toEqual({
      from: '作成日（から）は日付（例: 2026-12-01）で指定してください',
      page: 'ページは1以上の整数で指定してください',
    });
    expect(await errorsOf({ from: '2026-12-01', to: 'x', page: '2' }, AuditFilterDto)).toEqual({
      to: '期間（まで）は日付（例: 2026-12-01）で指定してください',
    });
    expect(await errorsOf({ page: '' }, PageOnlyDto)).toEqual({});
  });

  it('reads a staff page’s checkbox and requires a leaving date on the page', async () => {
    const ticked = (await pipe.transform({ name: '山田 花子', isManager: 'on' }, body(StaffFormDto))) as StaffFormDto;
    const unticked = (await pipe.transform({ name: '山田 花子' }, body(StaffFormDto))) as StaffFormDto;
    expect([ticked.isManager, unticked.isManager]).toEqual([true, false]);
    expect(await errorsOf({ leftOn: '' }, LeaveFormDto)).toEqual({ leftOn: '退職日は必須です' });
    expect(await errorsOf({ leftOn: tomorrow() }, LeaveFormDto)).toEqual({ leftOn: '退職日に未来の日付は指定できません' });
  });

  it('asks for a password typed twice to be the same, and for the current one, on the password form', async () => {
    expect(
      await errorsOf({ currentPassword: '', newPassword: 'a-new-one-2026', confirmPassword: 'a-new-one-2027' }, ChangePasswordFormDto),
    ).toEqual({
      currentPassword: '現在のパスワードは必須です',
      confirmPassword: '確認のために入力したパスワードが一致しません',
    });
    expect(
      await errorsOf({ currentPassword: 'x', newPassword: 'a-new-one-2026', confirmPassword: 'a-new-one-2026' }, ChangePasswordFormDto),
    ).toEqual({});
    expect(await errorsOf({ password: 'a-new-one-2026', passwordConfirm: '' }, InviteFormDto)).toEqual({
      passwordConfirm: '確認のため、同じパスワードを2回入力してください',
    });
  });
});
