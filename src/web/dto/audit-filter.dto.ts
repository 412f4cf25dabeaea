import { IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { FilterDate, PageNumber } from '../../common/validation/rules';

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
  @FilterDate()
  from?: string;

  @Label('期間（まで）')
  @FilterDate()
  to?: string;

  @Label('ページ')
  @PageNumber()
  page?: string;
}
