import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** Marking a line done: optionally the MCS ID created or changed, and a note the office sees. */
export class RegistrationDoneDto {
  @ApiPropertyOptional({ example: 'mcs-000123', maxLength: 100 })
  @Label('MCS ID')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  mcsId?: string;

  @ApiPropertyOptional({ example: '仮パスワードを郵送しました', maxLength: 500 })
  @Label('メモ')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(500)
  note?: string;
}
