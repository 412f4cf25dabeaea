import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { PageIndex } from '../../common/validation/paging';
import { OfficeRef } from '../../common/validation/rules';
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

  @OfficeRef()
  office?: string;

  @PageIndex()
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
  @OfficeRef()
  office?: string;
}
