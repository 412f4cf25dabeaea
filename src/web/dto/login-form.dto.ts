import { IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** The log-in page's form. Blank fields are a failed log-in, answered on the page itself. */
export class LoginFormDto {
  @Label('メールアドレス')
  @IsOptionalText()
  @IsString()
  @MaxLength(254)
  email?: string;

  @Label('パスワード')
  @IsOptionalText()
  @IsString()
  @MaxLength(200)
  password?: string;

  @Label('移動先')
  @IsOptionalText()
  @IsString()
  @MaxLength(2000)
  next?: string;
}
