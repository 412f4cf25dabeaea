import { IsString, Matches, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The audit page's filters (/admin/audit?who=&action=&from=&to=&page=). Checked by the page itself, so that a
 * wrong value comes back beside its field on the same page rather than as an error page.
 */
export class AuditFilterDto {
  @Label('利用者（メールアドレスの一部）')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(200)
  who?: string;

  @Label('操作')
  @IsOptionalText()
  @IsString()
  @MaxLength(60)
  action?: string;

  @Label('期間（から）')
  @IsOptionalText()
  @IsString()
  @Matches(DATE, { message: '期間（から）は日付（例: 2026-12-01）で指定してください' })
  from?: string;

  @Label('期間（まで）')
  @IsOptionalText()
  @IsString()
  @Matches(DATE, { message: '期間（まで）は日付（例: 2026-12-01）で指定してください' })
  to?: string;

  @Label('ページ')
  @IsOptionalText()
  @IsString()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'ページは1以上の整数で指定してください' })
  page?: string;
}
