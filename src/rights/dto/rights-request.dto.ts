import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MultiLine } from '../../common/validation/text-rules';
import {
  RIGHTS_CHANNELS,
  RIGHTS_KINDS,
  RIGHTS_OUTCOMES,
  RIGHTS_STATUSES,
  RightsChannel,
  RightsKind,
  RightsOutcome,
  RightsStatus,
} from '../rights.types';
import { IsReceivedDate } from './received-date';

export class CreateRightsRequestDto {
  @ApiProperty({ enum: RIGHTS_KINDS, description: 'disclosure 開示, correction 訂正・追加・削除, suspension 利用停止, erasure 消去' })
  @Label('請求の種類')
  @IsIn(RIGHTS_KINDS)
  kind!: RightsKind;

  @ApiProperty({ example: '2026-12-01', description: 'The day it was received (not in the future); due RIGHTS_DUE_DAYS later' })
  @Label('受付日')
  @IsReceivedDate()
  receivedAt!: string;

  @ApiProperty({ enum: RIGHTS_CHANNELS })
  @Label('受付方法')
  @IsIn(RIGHTS_CHANNELS)
  receivedVia!: RightsChannel;

  @ApiPropertyOptional({ maxLength: 2000, example: '同意書の住所の誤りの訂正' })
  @Label('請求の内容')
  @MultiLine()
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(2000)
  detail?: string;
}

export class AnswerRightsRequestDto {
  @ApiProperty({ enum: RIGHTS_OUTCOMES, description: 'answered (応じた) or refused (拒否: a reason in note is required)' })
  @Label('回答')
  @IsIn(RIGHTS_OUTCOMES)
  outcome!: RightsOutcome;

  @ApiPropertyOptional({ maxLength: 2000, description: 'What was done, or why it was refused (required when refused)' })
  @Label('回答の内容')
  @MultiLine()
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ListRightsRequestsQueryDto {
  @ApiPropertyOptional({ enum: RIGHTS_STATUSES })
  @Label('状態')
  @IsOptionalText()
  @IsIn(RIGHTS_STATUSES)
  status?: RightsStatus;
}

export class RightsCorrectionDto {
  @ApiProperty({ format: 'uuid', description: "One of the patient's documents" })
  @Label('書類')
  @IsString()
  @MaxLength(100)
  documentId!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The form's corrected data (its JSON Schema in GET /api/networks)",
  })
  @Label('データ')
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
