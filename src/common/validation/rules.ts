import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsString, IsUUID, Matches, MaxLength, registerDecorator } from 'class-validator';
import { parseIsoDate, todayInJapan } from '../japan-date';
import { IsEmailLike, IsOptionalText, Trim } from './decorators';
import { Label } from './label';

/**
 * The rules of the fields that many forms share, each written once: the API's DTOs and the web pages' form
 * DTOs use the same decorator, so a page and the API refuse the same input with the same message.
 * A `required: false` field may be left out or blank (a web form sends every input); a blank stays '' for
 * the service, which stores it as null.
 */

interface Presence {
  /** Required (the default for names), or optional. */
  required?: boolean;
}

/** The longest address anywhere (patients, families, offices, applications); the columns are `text`. */
export const ADDRESS_MAX = 120;
/** A phone number as people write it (0422-00-0000, 内線 12…). */
export const PHONE_MAX = 20;
export const PERSON_NAME_MAX = 40;
export const KANA_MAX = 60;
export const EMAIL_MAX = 254;

function presence(required: boolean): PropertyDecorator[] {
  return required ? [IsString(), IsNotEmpty()] : [IsOptionalText(), IsString()];
}

/** Full-width digits and hyphens as typed on a Japanese keyboard become ASCII: ０４２−… is 042-… */
function TrimNfkc(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().normalize('NFKC') : value));
}

/** A person's name (氏名): required unless said otherwise, at most 40 characters. */
export function PersonName({ required = true }: Presence = {}): PropertyDecorator {
  return applyDecorators(Trim(), ...presence(required), MaxLength(PERSON_NAME_MAX));
}

/** ふりがな: optional, at most 60 characters. */
export function NameKana(): PropertyDecorator {
  return applyDecorators(Trim(), ...presence(false), MaxLength(KANA_MAX));
}

/** Short free text (職種, 続柄…): at most `max` characters. */
export function ShortText({ required = false, max }: Presence & { max: number }): PropertyDecorator {
  return applyDecorators(Trim(), ...presence(required), MaxLength(max));
}

/** An e-mail address: loose on purpose (the mail that reaches it proves it), at most 254 characters. */
export function Email({ required = false }: Presence = {}): PropertyDecorator {
  return applyDecorators(Trim(), ...presence(required), MaxLength(EMAIL_MAX), IsEmailLike());
}

/** 住所: at most ADDRESS_MAX characters. */
export function Address({ required = false }: Presence = {}): PropertyDecorator {
  return applyDecorators(Trim(), ...presence(required), MaxLength(ADDRESS_MAX));
}

/**
 * 電話番号: free text of at most 20 characters (a patient's 「内線 12」 included); `digits: true` (an office's
 * own number, on an application) also asks for digits, hyphens, brackets and spaces only.
 */
export function Phone({ required = false, digits = false }: Presence & { digits?: boolean } = {}): PropertyDecorator {
  const pattern = digits
    ? [Matches(/^[0-9()+\- ]{6,20}$/, { message: '$labelは数字とハイフンで入力してください（例: 06-0000-1234）' })]
    : [];
  return applyDecorators(TrimNfkc(), ...presence(required), MaxLength(PHONE_MAX), ...pattern);
}

/** 郵便番号: 7 digits, with or without the hyphen (full-width digits are accepted). */
export function PostalCode({ required = false }: Presence = {}): PropertyDecorator {
  return applyDecorators(
    TrimNfkc(),
    ...presence(required),
    Matches(/^\d{3}-?\d{4}$/, { message: '$labelは7桁で入力してください（例: 203-0053）' }),
  );
}

/** One of a fixed list of choices, with the message a select box needs (性別は「男」「女」から選んでください). */
export function OneOf(choices: readonly string[], { required = false }: Presence = {}): PropertyDecorator {
  const message = `$labelは${choices.map((c) => `「${c}」`).join('')}から選んでください`;
  return applyDecorators(...(required ? [IsNotEmpty()] : [IsOptionalText()]), IsIn(choices, { message }));
}

/** The earliest date any form takes: anything before is a typing mistake. */
const EARLIEST_DATE = '1900-01-01';

/**
 * A calendar date written YYYY-MM-DD (as `<input type="date">` sends it) that exists (no 2026-02-30), from
 * 1900 on; `notFuture`: today in Japan at the latest (生年月日, 退職日).
 */
export function JapaneseDate({ required = false, notFuture = false }: Presence & { notFuture?: boolean } = {}): PropertyDecorator {
  const problem = (value: unknown): string | null => {
    if (typeof value !== 'string') return '$labelは文字列で指定してください';
    try {
      parseIsoDate(value);
    } catch {
      return '$labelは正しい日付（YYYY-MM-DD）で入力してください';
    }
    if (value < EARLIEST_DATE) return '$labelは1900年以降の日付を入力してください';
    if (notFuture && value > todayInJapan()) return '$labelに未来の日付は指定できません';
    return null;
  };
  const rule: PropertyDecorator = (target, property) =>
    registerDecorator({
      name: 'japaneseDate',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args) => problem(args?.value) ?? '',
      },
    });
  return applyDecorators(Trim(), ...presence(required), rule);
}

/** A list filter's day (期間（から）, 作成日（まで）): YYYY-MM-DD; whether it exists is the filter's own check. */
export function FilterDate(): PropertyDecorator {
  return applyDecorators(
    IsOptionalText(),
    IsString(),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$labelは日付（例: 2026-12-01）で指定してください' }),
  );
}

/** An office chosen in a filter or carried by a form (?office=…): its id, or nothing. */
export function OfficeRef(): PropertyDecorator {
  return applyDecorators(Label('事業所'), IsOptionalText(), IsUUID(undefined, { message: '事業所の指定が正しくありません' }));
}

/** A list's page (?page=2): 1 or more, as the query string sends it (text). */
export function PageNumber(): PropertyDecorator {
  return applyDecorators(IsOptionalText(), IsString(), Matches(/^[1-9]\d{0,5}$/, { message: '$labelは1以上の整数で指定してください' }));
}

/** A field typed twice (a new password and its confirmation): this one must equal `other`, else `message`. */
export function SameAs(other: string, message: string): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'sameAs',
      target: target.constructor,
      propertyName: String(property),
      constraints: [other],
      validator: {
        validate: (value: unknown, args) => value === (args?.object as Record<string, unknown>)[other],
        defaultMessage: () => message,
      },
    });
}
