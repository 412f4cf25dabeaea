import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, registerDecorator, ValidateIf, ValidateNested, ValidationOptions } from 'class-validator';
import 'reflect-metadata';
import { looksLikeEmail } from '../validation';

/** Surrounding spaces are not part of what was typed (a name, a code). Anything but a string is left for the checks. */
export function Trim(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
}

/**
 * Optional, and an empty string counts as not given: a web form sends every input, filled in or not.
 * (class-validator's IsOptional skips only null and undefined.)
 */
export function IsOptionalText(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined && value !== null && value !== '');
}

/** The one e-mail check (common/validation.ts), as a rule. */
export function IsEmailLike(options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isEmailLike',
      target: target.constructor,
      propertyName: String(property),
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && looksLikeEmail(value),
        defaultMessage: () => '$labelの形式が正しくありません',
      },
    });
}

const KEEPS_UNKNOWN_FIELDS = Symbol('renkei:keeps-unknown-fields');

/**
 * A body whose other fields are the data of a network's form: the validation pipe keeps them, unchecked, for
 * the catalogue's JSON-schema validator (networks/form-data.validator.ts) to check.
 */
export function KeepsUnknownFields(): ClassDecorator {
  return (target) => Reflect.defineMetadata(KEEPS_UNKNOWN_FIELDS, true, target);
}

export function keepsUnknownFields(type: unknown): boolean {
  return typeof type === 'function' && Reflect.getMetadata(KEEPS_UNKNOWN_FIELDS, type) === true;
}

/** How a list reads its input and words its refusals (a page's 「家族は20名までです」). */
export interface ListOptions {
  /** The list as the request sends it, before it is checked (a web form's rows: blank and removed rows dropped). */
  rows?: (value: unknown) => unknown;
  notAList?: string;
  tooMany?: string;
}

/**
 * A list of objects of one request class, at most `max` long. A longer list is refused by its length alone:
 * its items are not built nor checked one by one (a 5,000-member family costs no more than a short one).
 */
export function ListOf(type: () => new () => object, max: number, options: ListOptions = {}): PropertyDecorator {
  const build = (item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item) ? plainToInstance(type(), item) : item;
  const rows = options.rows ?? ((value: unknown) => value);
  return applyDecorators(
    IsArray(options.notAList ? { message: options.notAList } : {}),
    ArrayMaxSize(max, options.tooMany ? { message: options.tooMany } : {}),
    ValidateNested({ each: true }),
    Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
      const list = rows(obj[key]);
      return Array.isArray(list) && list.length <= max ? list.map(build) : list;
    }),
  );
}
