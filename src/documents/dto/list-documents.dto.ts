import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { DOCUMENT_STATUSES, DocumentStatus } from '../documents.types';

export class ListDocumentsQueryDto {
  @ApiPropertyOptional({ enum: DOCUMENT_STATUSES })
  @Label('状態')
  @IsOptionalText()
  @IsIn(DOCUMENT_STATUSES)
  status?: DocumentStatus;

  @ApiPropertyOptional({ example: 'staff-pledge', description: 'A form id' })
  @Label('様式')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  form?: string;
}
