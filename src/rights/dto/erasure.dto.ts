import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export class PatientErasureDto {
  @ApiProperty({ format: 'uuid', description: "The patient's open erasure request (消去の請求) this erasure answers" })
  @Label('消去の請求')
  @IsString()
  @MaxLength(100)
  rightsRequestId!: string;

  @ApiPropertyOptional({ description: "Optional safety check: the patient's name, exactly as registered" })
  @Label('確認のための氏名')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  confirmName?: string;
}

export class RetentionErasureDto {
  @ApiProperty({ type: [String], description: 'Documents the daily retention check listed (GET /api/retention)' })
  @Label('廃棄する書類')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  documentIds!: string[];
}

export class LegalHoldDto {
  @ApiProperty({ maxLength: 500, example: '損害賠償請求の係争中のため' })
  @Label('保存の理由')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
