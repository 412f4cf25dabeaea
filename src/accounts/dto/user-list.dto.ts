import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export class UserListQueryDto {
  @ApiPropertyOptional({ example: 'manager@', description: 'Part of the e-mail address or the name', maxLength: 100 })
  @Label('検索')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  q?: string;
}
