import { ArgumentMetadata, INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { useContainer, ValidationError, ValidatorOptions } from 'class-validator';
import { keepsUnknownFields } from './decorators';
import { invalidRequest, toFieldErrors } from './field-errors';
import { firstUnstorable, lineBreakErrors, linesCheckedByService } from './text-rules';

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
    // No text a client sends may hold what PostgreSQL cannot store or nobody types (text-rules.ts): body, query,
    // path alike. (A custom parameter — the user, the request's origin — is not the client's text.)
    if (metadata.type !== 'custom') {
      const bad = firstUnstorable(value, metadata.metatype, metadata.data ?? metadata.type);
      if (bad !== null) throw invalidRequest([bad]);
    }
    // A list or a bare value where an object belongs; Nest lets it through for a class without rules.
    if (this.toValidate(metadata) && value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw invalidRequest([{ path: metadata.type, label: 'リクエスト', message: 'リクエストの内容はオブジェクトで指定してください' }]);
    }
    return super.transform(value, metadata);
  }

  protected override async validate(object: object, options?: ValidatorOptions) {
    const errors = await super.validate(object, keepsUnknownFields(object.constructor) ? { ...options, whitelist: false } : options);
    // Line breaks in one-line fields, beside class-validator's own findings (a field is named once).
    const listed = toFieldErrors(errors);
    const breaks = linesCheckedByService(object.constructor)
      ? []
      : lineBreakErrors(object).filter((b) => !listed.some((e) => e.path === b.path));
    if (breaks.length > 0) throw invalidRequest([...listed, ...breaks]);
    return errors;
  }
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
