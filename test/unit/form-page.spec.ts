import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import formBody from '@fastify/formbody';
import { Body, Controller, Module, Post, Res } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import type { FastifyReply } from 'fastify';
import qs from 'qs';
import { DomainError } from '../../src/common/errors/domain-error';
import { DomainErrorFilter } from '../../src/common/errors/domain-error.filter';
import { FormAgain, FormPageInterceptor, ShowFormOnError, typedValues } from '../../src/common/errors/form-page';
import { Label } from '../../src/common/validation/label';
import { PersonName, PostalCode } from '../../src/common/validation/rules';
import { RequestValidationPipe } from '../../src/common/validation/validation.pipe';

class SignupForm {
  @Label('氏名') @PersonName() name!: string;
  @Label('郵便番号') @PostalCode() postalCode?: string;
  @Label('パスワード') @IsOptional() @IsString() password?: string;
  @Label('暗証番号') @IsOptional() @IsString() pin?: string;
}

/** A page whose form is shown again by ShowFormOnError, and an API route taking the same body. */
@Controller()
class SignupController {
  @Post('signup')
  @ShowFormOnError('signupAgain')
  signup(@Body() body: SignupForm, @Res() reply: FastifyReply): void {
    if (body.name === '登録済み')
      throw new DomainError('EMAIL_TAKEN', 'この方は登録済みです', {
        errors: [{ path: 'name', label: '氏名', message: '登録済みの氏名です' }],
      });
    if (body.name === '状態違い') throw new DomainError('INVALID_STATE', '受付は終わっています');
    if (body.name === '不明') throw new DomainError('NOT_FOUND', '見つかりません');
    reply.redirect('/done', 303);
  }

  /** The form again: every value as given back to the browser, each message beside its field. */
  signupAgain({ reply, values, errors, status }: FormAgain): void {
    const inputs = Object.entries(values).map(([key, value]) => `<input name="${key}" value="${String(value)}">`);
    const messages = errors.map((e) => `<p data-for="${e.path}">${e.message}</p>`);
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(`<form method="post">${inputs.join('')}${messages.join('')}</form>`);
  }

  @Post('api/signup')
  @ShowFormOnError('signupAgain')
  apiSignup(@Body() body: SignupForm) {
    return { name: body.name };
  }
}

@Module({
  controllers: [SignupController],
  providers: [
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: FormPageInterceptor },
  ],
})
class SignupModule {}

describe('typedValues', () => {
  it('keeps what was typed and leaves out passwords, PINs and codes at any depth', () => {
    const body = { name: '山田', password: 'p', newPassword: 'n', pin: '1', _csrf: 't', rows: [{ email: 'a@b.jp', accessCode: '9' }] };
    expect(typedValues(body)).toEqual({ name: '山田', rows: [{ email: 'a@b.jp' }] });
    expect(typedValues('x')).toEqual({});
  });
});

describe('ShowFormOnError (common/errors/form-page.ts)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(SignupModule, new FastifyAdapter(), { logger: false, bodyParser: false });
    app.useGlobalPipes(new RequestValidationPipe());
    await app.register(formBody, { parser: (body) => qs.parse(body) });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = (url: string, form: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: qs.stringify(form),
    });

  it('shows the form again on a validation error: 400, values as typed, each message beside its field, no password or PIN', async () => {
    const response = await post('/signup', { name: '  ', postalCode: '123', password: 'hunter2-secret', pin: '4321' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<input name="postalCode" value="123">');
    expect(response.body).toContain('<input name="name" value="  ">');
    expect(response.body).toContain('<p data-for="name">氏名は必須です</p>');
    expect(response.body).toContain('<p data-for="postalCode">郵便番号は7桁で入力してください（例: 203-0053）</p>');
    expect(response.body).not.toContain('hunter2-secret');
    expect(response.body).not.toContain('4321');
  });

  it('shows the form again on a domain error with field errors, and on one without (its message at the top), with its status', async () => {
    const taken = await post('/signup', { name: '登録済み' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('<p data-for="name">登録済みの氏名です</p>');
    expect(taken.body).toContain('<input name="name" value="登録済み">');
    const closed = await post('/signup', { name: '状態違い' });
    expect(closed.statusCode).toBe(409);
    expect(closed.body).toContain('<p data-for="_">受付は終わっています</p>');
  });

  it('leaves every other error to the one filter (its page and status), and a sound form to the handler', async () => {
    const missing = await post('/signup', { name: '不明' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('見つかりません');
    expect(missing.body).not.toContain('<form');
    const done = await post('/signup', { name: '山田 花子', postalCode: '２０３－００５３' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/done');
  });

  it('never turns an API route’s refusal into a page: JSON { code, message, errors: [{ path, label, message }] }', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/signup', payload: { name: 42, postalCode: '1' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'INVALID_REQUEST',
      message: '入力内容に2件の誤りがあります',
      errors: [
        { path: 'name', label: '氏名', message: '氏名は文字列で指定してください' },
        { path: 'postalCode', label: '郵便番号', message: '郵便番号は7桁で入力してください（例: 203-0053）' },
      ],
    });
  });
});

describe('the migrated web pages', () => {
  // Their forms come back through ShowFormOnError: a catch to re-render would be a second way (docs/architecture.md).
  // The catches left are not re-renders: the disclosure ZIP's 202 "being prepared" page, /forms' 404 page.
  const migrated: Array<[string, number]> = [
    ['office-patients', 0],
    ['office-staff', 0],
    ['patient-pages', 1],
    ['rights-pages', 0],
    ['secretariat-desk', 0],
    ['batch-pages', 0],
    ['admin-users', 0],
    ['office', 0],
    ['web', 1],
    ['signing-verify', 0],
  ];

  it.each(migrated)('%s.controller.ts declares its form and catches nothing to show it again (catches left: %d)', (name, left) => {
    const source = readFileSync(join(__dirname, '../../src/web', `${name}.controller.ts`), 'utf8');
    expect(source.match(/\bcatch\b/g) ?? []).toHaveLength(left);
    expect(source).toContain('@ShowFormOnError(');
  });
});
