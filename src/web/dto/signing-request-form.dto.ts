import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, ListOf } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MAX_SIGNERS, SIGNING_METHODS } from '../../signing/dto/create-signing.dto';

/** One row of the document page's signing form: one per role of the form, left blank when the role is not used. */
export class SignerRowDto {
  @Label('役割')
  @IsString()
  @MaxLength(60)
  role!: string;

  @Label('氏名')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @Label('署名の方法')
  @IsOptionalText()
  @IsIn(SIGNING_METHODS)
  method?: (typeof SIGNING_METHODS)[number];

  @Label('メールアドレス')
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @Label('続柄')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  relation?: string;

  @Label('暗証番号')
  @IsOptional()
  @IsString()
  @MaxLength(20)
  accessCode?: string;
}

export class SigningRequestFormDto {
  @Label('署名者')
  @IsOptional()
  @ListOf(() => SignerRowDto, MAX_SIGNERS)
  signers?: SignerRowDto[];

  @Label('署名の順序')
  @IsOptionalText()
  @IsIn(['on', 'true'])
  ordered?: 'on' | 'true';
}
