import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** How a roster is taken in: the API's multipart fields, and the web page's form. */
export class BatchOptionsDto {
  @ApiPropertyOptional({ enum: ['new', 'update'], default: 'new', description: 'new: only people joining; update: the whole roster' })
  @Label('取り込み方')
  @IsOptionalText()
  @IsIn(['new', 'update'])
  kind?: 'new' | 'update';

  @ApiPropertyOptional({ enum: ['print', 'esign'], default: 'print', description: 'One print-ready PDF, or signing links by e-mail' })
  @Label('署名の方法')
  @IsOptionalText()
  @IsIn(['print', 'esign'])
  mode?: 'print' | 'esign';

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Blank backs for duplex printing' })
  @Label('両面印刷')
  @IsOptionalText()
  @IsIn([true, false, 'true', 'false', 'on'])
  duplex?: boolean | 'true' | 'false' | 'on';
}

export class BatchUploadDto extends BatchOptionsDto {
  // Documents the upload only: the file is read by @Upload('file'); the service says when it is missing or unreadable.
  @ApiProperty({ type: 'string', format: 'binary', description: 'The roster: CSV (Shift_JIS or UTF-8) or XLSX' })
  file!: unknown;
}
