import { IsBase64, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { BatchOptionsDto } from '../../batches/dto/batch-upload.dto';

/** The confirmation of a checked roster: the file travels back base64-encoded, with the options chosen. */
export class BatchConfirmFormDto extends BatchOptionsDto {
  @Label('名簿')
  @IsString()
  @IsNotEmpty()
  @IsBase64()
  fileData!: string;

  @Label('ファイル名')
  @IsOptionalText()
  @IsString()
  @MaxLength(255)
  filename?: string;
}
