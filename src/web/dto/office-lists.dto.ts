import { IsString, Matches, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

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
  @IsOptionalText()
  @IsString()
  @Matches(DATE, { message: '作成日（から）は日付（例: 2026-12-01）で指定してください' })
  from?: string;

  @Label('作成日（まで）')
  @IsOptionalText()
  @IsString()
  @Matches(DATE, { message: '作成日（まで）は日付（例: 2026-12-01）で指定してください' })
  to?: string;

  @Label('ページ')
  @IsOptionalText()
  @IsString()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'ページは1以上の整数で指定してください' })
  page?: string;
}

/** /office/batches?page= */
export class PageOnlyDto {
  @Label('ページ')
  @IsOptionalText()
  @IsString()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'ページは1以上の整数で指定してください' })
  page?: string;
}
