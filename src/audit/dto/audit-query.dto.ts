import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export const MAX_AUDIT_PAGE = 1000;

export class AuditExportQueryDto {
  @ApiPropertyOptional({ example: 'document_viewed', description: 'Only this action' })
  @Label('操作')
  @IsOptionalText()
  @IsString()
  @MaxLength(60)
  action?: string;
}

export class AuditQueryDto extends AuditExportQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_AUDIT_PAGE, default: 200 })
  @Label('件数')
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value))
  @IsOptionalText()
  @IsInt()
  @Min(1)
  @Max(MAX_AUDIT_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The id of the last event of the previous page (events before it)', pattern: '^\\d+$' })
  @Label('開始位置')
  @IsOptionalText()
  @Matches(/^\d+$/)
  before?: string;
}
