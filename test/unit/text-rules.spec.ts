import { ArgumentMetadata } from '@nestjs/common';
import { DomainError, FieldError } from '../../src/common/errors/domain-error';
import { RequestValidationPipe } from '../../src/common/validation/validation.pipe';
import { FieldDefinition } from '../../src/networks/catalogue.types';
import { FormDataValidator } from '../../src/networks/form-data.validator';
import { RejectApplicationDto } from '../../src/onboarding/dto/review-application.dto';
import { CreatePatientDto } from '../../src/people/dto/create-patient.dto';
import { OfficeDocumentFormDto } from '../../src/web/dto/office-document-form.dto';

/** The pipe's rule for text (issue 21): what no field may hold, and what a one-line field may not hold. */
describe('RequestValidationPipe: text PostgreSQL cannot store, control characters, line breaks', () => {
  const pipe = new RequestValidationPipe();
  const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

  async function errorsOf(value: unknown, metadata: ArgumentMetadata): Promise<FieldError[]> {
    const error = await pipe.transform(value, metadata).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_REQUEST');
    return (error as DomainError & { details: { errors: FieldError[] } }).details.errors;
  }

  it('refuses half a surrogate pair, NUL, other C0 controls and DEL in any field, naming it', async () => {
    for (const bad of ['\ud800', 'a\udc00b', '\u0000', 'x\u0007', '\u001b[31m', 'x\u007f', 'tab\there']) {
      const errors = await errorsOf({ name: `山田 ${bad}` }, body(CreatePatientDto));
      expect(errors).toEqual([
        { path: 'name', label: '氏名', message: expect.stringMatching(/^氏名に使えない文字（.+）が含まれています$/) },
      ]);
    }
    // Nested, in a list, in a key, in a path parameter, in a network form's free data.
    expect(await errorsOf({ name: '山田 ハル', family: [{ name: '次郎\ud800', relation: '長男' }] }, body(CreatePatientDto))).toEqual([
      expect.objectContaining({ path: 'family[0].name', label: '家族' }),
    ]);
    expect(await errorsOf({ name: '山田 ハル', ['a\u0000']: 1 }, body(CreatePatientDto))).toEqual([
      expect.objectContaining({ path: 'a\u0000', label: '項目名' }),
    ]);
    expect(await errorsOf('ab\ud800', { type: 'param', metatype: String, data: 'token' })).toEqual([
      expect.objectContaining({ path: 'token' }),
    ]);
    expect(await errorsOf({ _form: 'x', staffName: '\udfff' }, body(OfficeDocumentFormDto))).toEqual([
      expect.objectContaining({ path: 'staffName' }),
    ]);
  });

  it('refuses CR and LF in a one-line field, beside the other problems; a textarea field keeps its lines', async () => {
    const errors = await errorsOf({ name: '山田\r\nBcc: x@example.jp', nameKana: 42 }, body(CreatePatientDto));
    expect(errors).toEqual([
      { path: 'nameKana', label: 'ふりがな', message: 'ふりがなは文字列で指定してください' },
      { path: 'name', label: '氏名', message: '氏名に改行や制御文字は使えません（1行で入力してください）' },
    ]);
    expect(await errorsOf({ name: '山田 ハル', family: [{ name: '山田\n次郎', relation: '長男' }] }, body(CreatePatientDto))).toEqual([
      expect.objectContaining({ path: 'family[0].name', label: '家族の氏名' }),
    ]);

    const reason = (await pipe.transform(
      { reason: '会員ではないため。\r\n改めてお申し込みください' },
      body(RejectApplicationDto),
    )) as RejectApplicationDto;
    expect(reason.reason).toBe('会員ではないため。\r\n改めてお申し込みください');
    expect(await errorsOf({ reason: '理由\u0000' }, body(RejectApplicationDto))).toEqual([expect.objectContaining({ path: 'reason' })]);
    // Well-formed text outside the BMP (a surrogate pair) is ordinary text.
    await expect(pipe.transform({ name: '𠮷野 ハル' }, body(CreatePatientDto))).resolves.toMatchObject({ name: '𠮷野 ハル' });
  });

  it("keeps a network form's one-line fields to one line; its textareas may break lines", () => {
    const validator = new FormDataValidator([
      { key: 'officeName', label: '事業所名', type: 'text', required: true },
      { key: 'remarks', label: '備考', type: 'textarea', required: false },
    ] as FieldDefinition[]);
    expect(validator.check({ officeName: 'A\r\nB', remarks: 'x' }).errors).toEqual([
      { path: 'officeName', label: '事業所名', message: '事業所名: 改行や制御文字は使えません（1行で入力してください）' },
    ]);
    expect(validator.check({ officeName: 'A B', remarks: '一行目\n二行目' }).errors).toEqual([]);
  });
});
