import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { SameAs } from '../../common/validation/rules';

/** The second step of log-in: a code typed, or (passkey.js) the browser's passkey answer as JSON. */
export class MfaLoginFormDto {
  @Label('確認用トークン')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  mfaToken!: string;

  @Label('確認コード')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(40)
  code?: string;

  @Label('パスキー')
  @IsOptionalText()
  @IsString()
  @MaxLength(20_000)
  credential?: string;

  @Label('移動先')
  @IsOptionalText()
  @IsString()
  @MaxLength(2000)
  next?: string;
}

/** A new password, typed twice, under the current one. */
export class ChangePasswordFormDto {
  @Label('現在のパスワード')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  currentPassword!: string;

  @Label('新しいパスワード')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  newPassword!: string;

  @Label('新しいパスワード（確認）')
  @IsOptionalText()
  @IsString()
  @MaxLength(200)
  @SameAs('newPassword', '確認のために入力したパスワードが一致しません')
  confirmPassword?: string;
}

/** A change to one's factors asks for the current password again (checked in the service; blank is answered beside the field). */
export class ReauthFormDto {
  @Label('現在のパスワード')
  @IsOptionalText()
  @IsString()
  @MaxLength(200)
  password?: string;
}

export class TotpConfirmFormDto extends ReauthFormDto {
  @Label('確認コード')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(20)
  code?: string;
}

/** A passkey created in the browser (passkey.js puts its answer here as JSON). */
export class PasskeyFormDto extends ReauthFormDto {
  @Label('パスキーの名前')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(40)
  name?: string;

  @Label('パスキー')
  @IsOptionalText()
  @IsString()
  @MaxLength(20_000)
  credential?: string;
}

/** The admin confirms having checked who is asking before a reset. */
export class MfaResetFormDto {
  @Label('本人確認')
  @IsOptionalText()
  @IsIn(['on'])
  confirmed?: string;
}

export class AdminUserSearchDto {
  @Label('検索')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  q?: string;
}
