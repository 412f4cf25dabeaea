import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MAX_SIGNATURE_DATA_URL, SIGNATURE_KINDS } from '../../signing/dto/signature.dto';

/**
 * The signing page's form (by link, or on the office's device). Whether it is complete (consent, a signature,
 * 続柄) SigningService checks, and the page shows each problem beside its input.
 */
export class SignatureFormDto {
  @Label('同意')
  @IsOptionalText()
  @IsIn(['true', 'on'])
  consent?: 'true' | 'on';

  @Label('署名の方法')
  @IsOptionalText()
  @IsIn(SIGNATURE_KINDS)
  signatureKind?: (typeof SIGNATURE_KINDS)[number];

  @Label('署名')
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SIGNATURE_DATA_URL)
  signatureImage?: string;

  @Label('署名（文字入力）')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  typedName?: string;

  @Label('続柄')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  relation?: string;

  @Label('代筆の理由')
  @IsOptional()
  @IsString()
  @MaxLength(500)
  proxyReason?: string;
}
