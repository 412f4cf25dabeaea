import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ListOf } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { Address, Email, JapaneseDate, NameKana, OneOf, PersonName, Phone, ShortText } from '../../common/validation/rules';
import { FAMILY_LIST, FamilyContactDto, MAX_FAMILY_CONTACTS } from '../../people/dto/create-patient.dto';
import { STAFF_GENDERS, StaffGender } from '../../people/people.types';

/** The family rows the patient form shows: at most this many (and one spare). */
export const MAX_FAMILY_ROWS = MAX_FAMILY_CONTACTS;

const FAMILY_KEYS = ['name', 'relation', 'email', 'phone', 'address'] as const;

/**
 * The family as the patient form sends it (family[0][name]…, a list or, past qs's array limit, an object):
 * rows ticked 削除 and rows left entirely blank (the spare row) are dropped; anything that is not rows stays
 * as it is, to be refused beside its field. The form shown again reads the rows the same way, so a message's
 * path (family[1].email) names the row it is shown in.
 */
export function familyRows(family: unknown): unknown {
  if (family === undefined || family === null || family === '') return [];
  if (typeof family !== 'object') return family;
  const rows = Array.isArray(family) ? family : Object.values(family);
  return rows
    .map((row) => (row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : {}))
    .filter((row) => row.remove !== 'on')
    .filter((row) => FAMILY_KEYS.some((key) => row[key] !== undefined && !(typeof row[key] === 'string' && !String(row[key]).trim())))
    .map(({ remove: _remove, ...row }) => row);
}

/**
 * The patient form (new or changed): the fields and rules of the API's (people/dto/create-patient.dto.ts),
 * in the form's order, the family as the form's rows.
 */
export class PatientFormDto {
  @Label('氏名')
  @PersonName()
  name!: string;

  @Label('ふりがな')
  @NameKana()
  nameKana?: string;

  @Label('生年月日')
  @JapaneseDate({ notFuture: true })
  birthDate?: string;

  @Label('住所')
  @Address()
  address?: string;

  @Label('電話番号')
  @Phone()
  phone?: string;

  /** Rows of 氏名, 続柄, メールアドレス, 電話番号, 住所 (and the contact's id when changing), each with its 削除 box. */
  @Label('家族')
  @IsOptional()
  @ListOf(() => FamilyContactDto, MAX_FAMILY_ROWS, { ...FAMILY_LIST, rows: familyRows })
  family?: FamilyContactDto[];

  /** The 「家族の欄を追加」 button: show the form again with one more blank row, saving nothing. */
  @Label('家族の欄を追加')
  @IsOptional()
  _add?: unknown;
}

/** A checkbox as a web form sends it: 'on' when ticked, nothing when not. */
function Checkbox(): PropertyDecorator {
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const value = obj[key];
    return value === 'on' || value === 'true' || value === true;
  });
}

/** The staff form (new or changed): the fields and rules of the API's (people/dto/create-staff.dto.ts), 管理者 a checkbox. */
export class StaffFormDto {
  @Label('氏名')
  @PersonName()
  name!: string;

  @Label('ふりがな')
  @NameKana()
  nameKana?: string;

  @Label('職種')
  @ShortText({ max: 20 })
  jobTitle?: string;

  @Label('メールアドレス')
  @Email()
  email?: string;

  @Label('性別')
  @OneOf(STAFF_GENDERS)
  gender?: StaffGender | '';

  @Label('入職日')
  @JapaneseDate()
  joinedOn?: string;

  @Label('管理者')
  @Checkbox()
  @IsBoolean()
  isManager: boolean = false; // an unticked box sends nothing
}

/** A staff member's leaving (退職), with the day the clerk chose: required here (the page always sends it). */
export class LeaveFormDto {
  @Label('退職日')
  @JapaneseDate({ required: true, notFuture: true })
  leftOn!: string;
}
