import { ArgumentMetadata } from '@nestjs/common';
import { DomainError, FieldError } from '../../src/common/errors/domain-error';
import { invalidRequest, MAX_LISTED_ERRORS } from '../../src/common/validation/field-errors';
import { RequestValidationPipe } from '../../src/common/validation/validation.pipe';
import { CreatePatientDto } from '../../src/people/dto/create-patient.dto';
import { CreateRenderDto } from '../../src/rendering/dto/create-render.dto';
import { CreateSigningDto } from '../../src/signing/dto/create-signing.dto';
import { OfficeDocumentFormDto } from '../../src/web/dto/office-document-form.dto';

/** The pipe as Nest calls it, without an app: class-validator's errors become the FieldError[] of every 400. */
describe('RequestValidationPipe', () => {
  const pipe = new RequestValidationPipe();
  const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

  async function refusal(
    value: unknown,
    metatype: ArgumentMetadata['metatype'],
  ): Promise<DomainError & { details: { errors: FieldError[] } }> {
    const error = await pipe.transform(value, body(metatype)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_REQUEST');
    return error as DomainError & { details: { errors: FieldError[] } };
  }

  it('lists every invalid field at once, with dotted and indexed paths, Japanese labels and messages', async () => {
    const error = await refusal(
      {
        name: 42,
        nameKana: {},
        birthDate: '1/2/1940',
        family: [{ name: ' ', relation: '長男', email: 'not-an-address' }, 'x', { name: '山田 次郎', relation: 7 }],
      },
      CreatePatientDto,
    );
    expect(error.details.errors).toEqual([
      { path: 'name', label: '氏名', message: '氏名は文字列で指定してください' },
      { path: 'nameKana', label: 'ふりがな', message: 'ふりがなは文字列で指定してください' },
      { path: 'birthDate', label: '生年月日', message: '生年月日は正しい日付（YYYY-MM-DD）で入力してください' },
      { path: 'family[0].name', label: '家族の氏名', message: '家族の氏名は必須です' },
      { path: 'family[0].email', label: '家族のメールアドレス', message: '家族のメールアドレスの形式が正しくありません' },
      { path: 'family[1]', label: '家族', message: '家族はオブジェクトで指定してください' },
      { path: 'family[2].relation', label: '続柄', message: '続柄は文字列で指定してください' },
    ]);
    expect(error.message).toBe('入力内容に7件の誤りがあります');
  });

  it('says what is missing, what has the wrong type, and what is not one of the choices', async () => {
    const render = await refusal({ network: 3, data: 'x' }, CreateRenderDto);
    expect(render.details.errors).toEqual([
      { path: 'network', label: 'ネットワーク', message: 'ネットワークは文字列で指定してください' },
      { path: 'form', label: '様式', message: '様式は必須です' },
      { path: 'data', label: 'データ', message: 'データはオブジェクトで指定してください' },
    ]);
    const signing = await refusal({ signers: [{ role: 'family1', name: 'x', method: 'pigeon' }], ordered: 'yes' }, CreateSigningDto);
    expect(signing.details.errors).toEqual([
      { path: 'signers[0].method', label: '署名の方法', message: '署名の方法は次のいずれかです: email, in_person' },
      { path: 'ordered', label: '署名の順序', message: '署名の順序は true か false で指定してください' },
    ]);
  });

  it('refuses an oversized list by its size, and names at most the first hundred problems', async () => {
    const family = Array.from({ length: 5000 }, (_, i) => ({ name: `家族 ${i}`, relation: '長男' }));
    const big = await refusal({ name: '山田 ハル', family }, CreatePatientDto);
    expect(big.details.errors).toEqual([{ path: 'family', label: '家族', message: '家族は20名までです' }]);

    const twenty = await refusal({ name: '山田 ハル', family: family.slice(0, 20).map(() => ({})) }, CreatePatientDto);
    expect(twenty.details.errors).toHaveLength(40);

    const many = Array.from({ length: 150 }, (_, i) => ({ path: `rows[${i}]`, label: '行', message: '行が正しくありません' }));
    const capped = invalidRequest(many) as DomainError & { details: { errors: FieldError[] } };
    expect(capped.details.errors).toEqual(many.slice(0, MAX_LISTED_ERRORS));
    expect(capped.message).toBe('入力内容に150件の誤りがあります（最初の100件を示します）');
  });

  it('refuses a list or a bare value where an object belongs', async () => {
    const error = await refusal([{ name: 'x' }], CreatePatientDto);
    expect(error.details.errors).toEqual([
      { path: 'body', label: 'リクエスト', message: 'リクエストの内容はオブジェクトで指定してください' },
    ]);
    await refusal('name=x', CreatePatientDto);
  });

  it('drops undeclared fields and trims text; a form post keeps its form fields for the catalogue to check', async () => {
    const patient = (await pipe.transform({ name: '  山田 ハル ', email: '', isAdmin: true }, body(CreatePatientDto))) as CreatePatientDto;
    expect(patient).toBeInstanceOf(CreatePatientDto);
    expect(patient.name).toBe('山田 ハル');
    expect(patient).not.toHaveProperty('isAdmin');

    const posted = { _form: 'staff-pledge', _subject: '', staffName: '山田 花子', members: [{ name: 'a' }] };
    const form = (await pipe.transform(posted, body(OfficeDocumentFormDto))) as unknown as Record<string, unknown>;
    expect({ ...form }).toEqual(posted);
  });

  it('leaves what is not a request class alone (a plain object type, a path parameter)', async () => {
    await expect(pipe.transform([1, 2], body(Object))).resolves.toEqual([1, 2]);
    await expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('abc');
  });
});
