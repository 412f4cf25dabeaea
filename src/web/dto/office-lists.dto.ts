import { IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { FilterDate, PageNumber } from '../../common/validation/rules';

/** /office/documents?q=&form=&status=&from=&to=&page=: checked by the page, a wrong value shown beside its field. */
export class DocumentFilterDto {
  @Label('検索（氏名・様式名・書類番号）')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  q?: string;

  @Label('様式')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  form?: string;

  @Label('状態')
  @IsOptionalText()
  @IsString()
  @MaxLength(30)
  status?: string;

  @Label('作成日（から）')
  @FilterDate()
  from?: string;

  @Label('作成日（まで）')
  @FilterDate()
  to?: string;

  @Label('ページ')
  @PageNumber()
  page?: string;
}

/** /office/batches?page= */
export class PageOnlyDto {
  @Label('ページ')
  @PageNumber()
  page?: string;
}
