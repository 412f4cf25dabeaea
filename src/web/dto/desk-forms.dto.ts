import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, IsUUID } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MultiLine } from '../../common/validation/text-rules';
import { LINE_STATUSES } from '../../registrations/registrations.types';

/** The reject form's reason; an empty one is shown beside the field by the page (not a bare error page). */
export class RejectFormDto {
  @Label('却下の理由')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

/** The desk's filter: open (default), done, or all. */
export class DeskQueryDto {
  @Label('状態')
  @IsOptionalText()
  @IsIn([...LINE_STATUSES, 'all'])
  status?: string;

  @Label('メッセージ')
  @IsOptionalText()
  @IsString()
  @MaxLength(500)
  message?: string;

  @Label('事業所')
  @IsOptionalText()
  @IsUUID(undefined, { message: '事業所の指定が正しくありません' })
  office?: string;

  @Label('ページ')
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value))
  @IsOptionalText()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;
}

/** A page's one-line message after a redirect (…?message=…). */
export class MessageQueryDto {
  @Label('メッセージ')
  @IsOptionalText()
  @IsString()
  @MaxLength(500)
  message?: string;
}

/** Free text typed on a desk or office form (a question, an answer, an MCS ID, a note); checked by the service. */
export class DeskTextFormDto {
  @Label('MCS ID')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  mcsId?: string;

  @Label('メモ')
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @Label('質問')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  question?: string;

  @Label('回答')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  answer?: string;

  /** The desk's office filter, kept when the page comes back. */
  @Label('事業所')
  @IsOptionalText()
  @IsUUID(undefined, { message: '事業所の指定が正しくありません' })
  office?: string;
}
