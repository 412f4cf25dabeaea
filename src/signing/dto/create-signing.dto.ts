import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListOf } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** No form has more signers than this; a longer list is refused before anything is looked up. */
export const MAX_SIGNERS = 10;

export const SIGNING_METHODS = ['email', 'in_person'] as const;

/**
 * One signer. Only the shape here: the roles a form has, which are required, and the e-mail and 暗証番号 rules
 * depend on the catalogue and are checked by SigningService, with every problem listed at once.
 */
export class SignerDto {
  @ApiProperty({ example: 'family1', description: "One of the form's signer roles (GET /api/networks: forms[].signers[].role)" })
  @Label('役割')
  @IsString()
  @MaxLength(60)
  role!: string;

  @ApiProperty({ example: '山田 一郎', maxLength: 40 })
  @Label('氏名')
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ enum: SIGNING_METHODS, default: 'email' })
  @Label('署名の方法')
  @IsOptional()
  @IsIn(SIGNING_METHODS)
  method?: (typeof SIGNING_METHODS)[number];

  @ApiPropertyOptional({ example: 'ichiro@example.jp', description: 'Required for method=email' })
  @Label('メールアドレス')
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '長男', description: 'For family and proxy signers' })
  @Label('続柄')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  relation?: string;

  @ApiPropertyOptional({ example: '4321', description: '暗証番号: 4–8 digits, asked before the link opens (optional)' })
  @Label('暗証番号')
  @IsOptional()
  @IsString()
  @MaxLength(20)
  accessCode?: string;
}

export class CreateSigningDto {
  @ApiProperty({ type: [SignerDto], maxItems: MAX_SIGNERS })
  @Label('署名者')
  @ListOf(() => SignerDto, MAX_SIGNERS)
  signers!: SignerDto[];

  @ApiPropertyOptional({ description: 'Sign one after the other, in the order given (default: all at once)' })
  @Label('署名の順序')
  @IsOptional()
  @IsBoolean()
  ordered?: boolean;
}
