import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { ListPageQueryDto } from '../../common/validation/paging';
import { DOCUMENT_STATUSES, DocumentStatus } from '../documents.types';

/** Filters, and the page (`limit`, `page`): see ListPageQueryDto. */
export class ListDocumentsQueryDto extends ListPageQueryDto {
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
