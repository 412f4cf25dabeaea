import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, ListOf } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MAX_SIGNERS, SIGNING_METHODS } from '../../signing/dto/create-signing.dto';

/** One row of the document page's signing form: one per role of the form, left blank when the role is not used. */
export class SignerRowDto {
  @Label('役割')
  @IsString()
  @MaxLength(60)
  role!: string;

  @Label('氏名')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  /** Blank: by e-mail when an address is given, else in person (the form's 「自動」). */
  @Label('署名の方法')
  @IsOptionalText()
  @IsIn(SIGNING_METHODS)
  method?: (typeof SIGNING_METHODS)[number];

  @Label('メールアドレス')
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @Label('続柄')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  relation?: string;

  @Label('暗証番号')
  @IsOptional()
  @IsString()
  @MaxLength(20)
  accessCode?: string;
}

/** The form's rows as posted (a list, or the object a form's `signers[3]` fields make). */
function postedRows(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return null;
}

/**
 * Which rows of the form name a signer: a row left without a name is a role the office does not use this time
 * (e.g. no second family member). A row whose name is not text is kept, for the rules to refuse.
 */
export function namedRows(value: unknown): number[] {
  return (postedRows(value) ?? []).flatMap((row, i) => {
    const name = row !== null && typeof row === 'object' ? (row as Record<string, unknown>).name : undefined;
    return name === undefined || name === null || (typeof name === 'string' && !name.trim()) ? [] : [i];
  });
}

export class SigningRequestFormDto {
  @Label('署名者')
  @IsOptional()
  @ListOf(() => SignerRowDto, MAX_SIGNERS, {
    rows: (value) => {
      const rows = postedRows(value);
      return rows ? namedRows(value).map((i) => rows[i]) : value;
    },
  })
  signers?: SignerRowDto[];

  @Label('署名の順序')
  @IsOptionalText()
  @IsIn(['on', 'true'])
  ordered?: 'on' | 'true';
}
