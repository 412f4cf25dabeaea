import { ArgumentMetadata, INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { useContainer, ValidationError, ValidatorOptions } from 'class-validator';
import { keepsUnknownFields } from './decorators';
import { invalidRequest, toFieldErrors } from './field-errors';

/**
 * The one check of request input, for the API and the web pages alike: each body and query is a DTO class
 * (`src/<feature>/dto/*.dto.ts`); fields it does not declare are dropped; values are not coerced, so a number
 * where text belongs, an unknown choice or an oversized list is a 400 (INVALID_REQUEST) listing every invalid
 * field with its Japanese label and message. Checks that need data (does the network exist, may this user…)
 * stay in the services.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      transform: true,
      forbidUnknownValues: false,
      // The target is where a field's label is found.
      validationError: { target: true, value: true },
      exceptionFactory: (errors: ValidationError[]) => invalidRequest(toFieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // No text here may hold a NUL character (PostgreSQL cannot store one): a body, a query or a path alike.
    const nul = pathOfNul(value, metadata.data ?? metadata.type);
    if (nul !== null) throw invalidRequest([{ path: nul, label: '入力', message: '使えない文字（NUL）が含まれています' }]);
    // A list or a bare value where an object belongs; Nest lets it through for a class without rules.
    if (this.toValidate(metadata) && value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw invalidRequest([{ path: metadata.type, label: 'リクエスト', message: 'リクエストの内容はオブジェクトで指定してください' }]);
    }
    return super.transform(value, metadata);
  }

  protected override validate(object: object, options?: ValidatorOptions) {
    return super.validate(object, keepsUnknownFields(object.constructor) ? { ...options, whitelist: false } : options);
  }
}

/** Where a NUL character is in a value (strings and keys, nested objects and lists), or null if none. */
function pathOfNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 20 || Buffer.isBuffer(value)) return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (key.includes('\u0000')) return at;
    const found = pathOfNul(item, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

const builtByNest = new Set<unknown>();

/** A validation rule that Nest builds, so that it can be given services (e.g. the catalogue's networks). */
export function NestConstraint(): ClassDecorator {
  return (target) => {
    builtByNest.add(target);
  };
}

/** Lets class-validator take NestConstraint rules from the app; it builds every other rule itself. */
export function useNestForConstraints(app: INestApplicationContext): void {
  const container = { get: (type: unknown) => (builtByNest.has(type) ? app.get(type as never, { strict: false }) : undefined) };
  useContainer(container, { fallback: true });
}
