import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';
import { MultiLine } from '../../common/validation/text-rules';

/**
 * The patient page's forms. Loose on purpose: every value is text, and the rights services check each one
 * (choices, dates, required reasons), so that the page comes back with each message beside its field.
 */
export class WithdrawalFormDto {
  @Label('書類')
  @IsString()
  @MaxLength(100)
  documentId!: string;

  @Label('受付方法')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  receivedVia?: string;

  @Label('撤回の受付日')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  receivedAt?: string;

  @Label('備考')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class RightsRequestFormDto {
  @Label('請求の種類')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;

  @Label('受付日')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  receivedAt?: string;

  @Label('受付方法')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  receivedVia?: string;

  @Label('請求の内容')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  detail?: string;
}

export class RightsAnswerFormDto {
  @Label('回答')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  outcome?: string;

  @Label('回答の内容')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}

export class ErasureFormDto {
  @Label('消去の請求')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  rightsRequestId?: string;

  @Label('確認のための氏名')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  confirmName?: string;

  @Label('確認')
  @IsOptional()
  @IsString()
  @MaxLength(10)
  confirmed?: string;
}

export class LegalHoldFormDto {
  @Label('保存の理由')
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class RetentionErasureFormDto {
  @Label('廃棄する書類')
  @IsOptional()
  documentIds?: string | string[];

  @Label('確認')
  @IsOptional()
  @IsString()
  @MaxLength(10)
  confirmed?: string;
}

export class WithdrawLinkFormDto {
  @Label('連絡事項')
  @MultiLine()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @Label('確認')
  @IsOptional()
  @IsString()
  @MaxLength(10)
  confirm?: string;
}
