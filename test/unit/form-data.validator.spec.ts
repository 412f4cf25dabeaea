import { FieldDefinition } from '../../src/networks/catalogue.types';
import { FormDataValidator } from '../../src/networks/form-data.validator';

const fields: FieldDefinition[] = [
  { key: 'name', label: '氏名', type: 'text', required: true, maxLength: 10 },
  { key: 'kana', label: 'ふりがな', type: 'kana', required: false },
  { key: 'zip', label: '郵便番号', type: 'postalCode', required: false },
  { key: 'tel', label: '電話番号', type: 'phone', required: false },
  { key: 'born', label: '生年月日', type: 'date', required: false },
  { key: 'sex', label: '性別', type: 'choice', required: false, options: ['男', '女'] },
  {
    key: 'family',
    label: '家族',
    type: 'group',
    required: false,
    fields: [
      { key: 'name', label: '家族氏名', type: 'text', required: true },
      { key: 'relation', label: '続柄', type: 'text', required: true },
    ],
  },
  {
    key: 'members',
    label: '利用者',
    type: 'list',
    required: false,
    maxItems: 2,
    fields: [{ key: 'email', label: 'メールアドレス', type: 'email', required: true }],
  },
];

describe('form data validation', () => {
  const validator = new FormDataValidator(fields);

  it('accepts good data and tidies it: trimmed, full-width codes made half-width, blanks dropped', () => {
    const { data, errors } = validator.check({
      name: '  山田 花子 ',
      kana: 'やまだ はなこ',
      zip: '２０３－００５３',
      tel: '０４２ー４７１ー００００',
      born: '',
      family: { name: '', relation: '' },
      members: [{ email: '' }],
    });
    expect(errors).toEqual([]);
    expect(data).toEqual({ name: '山田 花子', kana: 'やまだ はなこ', zip: '203-0053', tel: '042-471-0000' });
  });

  it('reports every invalid field at once, with its path and a Japanese message naming it', () => {
    const { errors } = validator.check({
      name: '長'.repeat(11),
      kana: 'Yamada',
      zip: '12345',
      tel: 'abc',
      born: '2026-02-30',
      sex: '不明',
      family: { name: '山田 太郎' },
      members: [{ email: 'x@example.jp' }, { email: 'nope' }, { email: 'z@example.jp' }],
      unknown: 1,
    });
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    expect(byPath).toEqual({
      name: '氏名は10文字以内で入力してください',
      kana: 'ふりがな: ひらがな又はカタカナで入力してください',
      zip: '郵便番号: 7桁の郵便番号で入力してください（例: 203-0053）',
      tel: '電話番号: 電話番号の形式が正しくありません（例: 042-000-0000）',
      born: '生年月日: 日付を YYYY-MM-DD の形で入力してください（例: 2026-04-01）',
      sex: '性別は次のいずれかを選んでください: 男、女',
      'family.relation': '続柄は必須です',
      'members[1].email': 'メールアドレス: メールアドレスの形式が正しくありません（例: name@example.jp）',
      members: '利用者は2件までです',
      unknown: '「unknown」という項目はこの様式にありません',
    });
  });

  it('requires required fields and says so in Japanese', () => {
    expect(validator.check({}).errors).toEqual([{ path: 'name', label: '氏名', message: '氏名は必須です' }]);
    expect(validator.check(undefined).errors).toHaveLength(1);
  });

  it('names the expected type when a value has the wrong one', () => {
    expect(validator.check({ name: 3 }).errors[0].message).toBe('氏名の値の型が正しくありません（文字列で指定してください）');
  });
});
