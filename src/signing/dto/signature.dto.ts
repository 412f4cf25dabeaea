import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

export const SIGNATURE_KINDS = ['drawn', 'typed'] as const;

/** A PNG of at most 300 kB (SigningService's limit), as a data URL. */
export const MAX_SIGNATURE_DATA_URL = 420_000;

/** What a signer submits. Whether it is complete (consent, a signature, 続柄 for family) SigningService checks. */
export class SignatureDto {
  @ApiPropertyOptional({ description: 'The signer read the document and agrees (required to sign)' })
  @Label('同意')
  @IsOptional()
  @IsBoolean()
  consent?: boolean;

  @ApiPropertyOptional({ enum: SIGNATURE_KINDS })
  @Label('署名の方法')
  @IsOptional()
  @IsIn(SIGNATURE_KINDS)
  signatureKind?: (typeof SIGNATURE_KINDS)[number];

  @ApiPropertyOptional({ description: 'For signatureKind=drawn: data:image/png;base64,…', maxLength: MAX_SIGNATURE_DATA_URL })
  @Label('署名')
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SIGNATURE_DATA_URL)
  signatureImage?: string;

  @ApiPropertyOptional({ description: 'For signatureKind=typed', maxLength: 40, example: '説明 看護師' })
  @Label('署名（文字入力）')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  typedName?: string;

  @ApiPropertyOptional({ example: '長男', description: 'For family and proxy signers' })
  @Label('続柄')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  relation?: string;

  @ApiPropertyOptional({ example: '手の震えのため', description: 'For proxy signers (代筆)' })
  @Label('代筆の理由')
  @IsOptional()
  @IsString()
  @MaxLength(500)
  proxyReason?: string;
}
