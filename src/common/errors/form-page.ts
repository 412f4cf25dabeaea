import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, Observable } from 'rxjs';
import { DOMAIN_ERROR_STATUS, DomainError, DomainErrorCode, FieldError } from './domain-error';

/**
 * The errors that mean "this form, as sent, cannot be done": a page that declares its form (ShowFormOnError)
 * shows the form again with them, with the error's own status (400 for what the rules refuse, 409 for a state
 * that forbids it…). Defined here only; every other error (FORBIDDEN included: a page does not offer a form its
 * user may not send) goes to DomainErrorFilter's error page.
 */
export const FORM_ERROR_CODES: ReadonlySet<DomainErrorCode> = new Set<DomainErrorCode>([
  'INVALID_REQUEST',
  'INVALID_FORM_DATA',
  'EMAIL_TAKEN',
  'INVALID_STATE',
  'ERASURE_BLOCKED',
]);

/** What a page's form renderer is given to show the form again. */
export interface FormAgain {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The request's path parameters (the :id of the page). */
  params: Record<string, string>;
  /** The body as typed (never a password, PIN or code: those are left out). */
  values: Record<string, unknown>;
  errors: FieldError[];
  /** The error's own status: 400 for input the rules refuse. */
  status: number;
  /** The error's message (the one line a page without fields shows). */
  message: string;
  /** The error itself: a renderer that cannot show its form (it names no form) throws it, for the error page. */
  error: DomainError;
}

const FORM_PAGE = Symbol('renkei:form-page');

/**
 * On a web page's handler: when the validation pipe refuses the body, or the handler throws one of
 * FORM_ERROR_CODES, the controller's method `render` (given a FormAgain) shows the page's form again, with
 * the values as typed and each message beside its field. The page's controller catches nothing itself.
 */
export function ShowFormOnError(render: string, options: { also?: DomainErrorCode[] } = {}): MethodDecorator {
  // On this handler only: an interceptor costs every request it runs on (an rxjs chain and async resources).
  return applyDecorators(
    SetMetadata(FORM_PAGE, { render, also: options.also ?? [] } satisfies FormPage),
    UseInterceptors(FormPageInterceptor),
  );
}

/**
 * A page's form renderer, and the codes beyond FORM_ERROR_CODES that it shows as a refusal of its own (a step
 * that its state forbids, e.g. a signer's turn not yet come, is told on the page it was asked from).
 */
interface FormPage {
  render: string;
  also: DomainErrorCode[];
}

/** Fields never sent back to a browser, even into the form they came from (a signer's access code in a row too). */
const SECRET_FIELD = /password|passcode|pin$|^code$|accesscode|^otp$|token$|^_csrf$/i;

/** The body as typed, for the form again: secrets left out, at any depth. */
export function typedValues(body: unknown): Record<string, unknown> {
  const clean = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > 10 || Buffer.isBuffer(value)) return value;
    if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key]) => !SECRET_FIELD.test(key))
        .map(([key, item]) => [key, clean(item, depth + 1)]),
    );
  };
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (clean(body, 0) as Record<string, unknown>) : {};
}

/** The field errors of a form error (one without fields is shown as a message at the top), or null for any other error. */
export function formErrorsOf(error: unknown, also: readonly DomainErrorCode[] = []): FieldError[] | null {
  if (!(error instanceof DomainError) || !(FORM_ERROR_CODES.has(error.code) || also.includes(error.code))) return null;
  const errors = error.details?.errors as FieldError[] | undefined;
  return errors?.length ? errors : [{ path: '_', label: '', message: error.message }];
}

/**
 * Reads ShowFormOnError. An interceptor, not a filter: it knows the handler (and so its page), and pipes run
 * inside `next.handle()`, so the validation pipe's refusals reach it too. Never for the API (/api answers JSON).
 */
@Injectable()
export class FormPageInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const page = context.getType() === 'http' ? this.reflector.get<FormPage | undefined>(FORM_PAGE, context.getHandler()) : undefined;
    if (!page) return next.handle();
    return next.handle().pipe(catchError((error: unknown) => from(this.showForm(context, page, error))));
  }

  private async showForm(context: ExecutionContext, { render, also }: FormPage, error: unknown): Promise<void> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const errors = formErrorsOf(error, also);
    if (!errors || isApi(request)) throw error;
    const controller = this.moduleRef.get<Record<string, unknown>>(context.getClass(), { strict: false });
    const method = controller[render];
    if (typeof method !== 'function') throw new Error(`${context.getClass().name} has no form renderer ${render}`);
    const form: FormAgain = {
      request,
      reply: context.switchToHttp().getResponse<FastifyReply>(),
      params: (request.params ?? {}) as Record<string, string>,
      values: typedValues(request.body),
      errors,
      status: DOMAIN_ERROR_STATUS[(error as DomainError).code],
      message: (error as DomainError).message,
      error: error as DomainError,
    };
    await (method as (form: FormAgain) => unknown).call(controller, form);
  }
}

function isApi(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return path === '/api' || path.startsWith('/api/');
}
