import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export class MfaTokenDto {
  @ApiProperty({ description: 'From POST /api/auth/login ({ mfaRequired: true, mfaToken })', maxLength: 200 })
  @Label('確認用トークン')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  mfaToken!: string;
}

export class MfaCodeLoginDto extends MfaTokenDto {
  @ApiProperty({ example: '123456', description: 'The 6 digits of the authenticator app, or a recovery code (xxxxx-xxxxx)', maxLength: 40 })
  @Label('確認コード')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  code!: string;
}

export class PasskeyLoginDto extends MfaTokenDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The browser’s answer to navigator.credentials.get(), as JSON' })
  @Label('パスキー')
  @IsObject()
  response!: AuthenticationResponseJSON;
}

/** A change to one's factors asks for the current password again; missing or wrong → 403 REAUTH_REQUIRED. */
export class ReauthDto {
  @ApiProperty({
    format: 'password',
    maxLength: 200,
    description: 'The current password, required: without it (or wrong) → 403 REAUTH_REQUIRED, counted as a failed log-in',
  })
  @Label('現在のパスワード')
  @IsOptionalText()
  @IsString()
  @MaxLength(200)
  password?: string;
}

export class TotpConfirmDto extends ReauthDto {
  @ApiProperty({ example: '123456', description: 'The code the app shows now', maxLength: 20 })
  @Label('確認コード')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  code!: string;
}

export class PasskeyRegisterDto extends ReauthDto {
  @ApiPropertyOptional({ example: '事務所のパソコン', maxLength: 40 })
  @Label('パスキーの名前')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(40)
  name?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The browser’s answer to navigator.credentials.create(), as JSON',
  })
  @Label('パスキー')
  @IsObject()
  response!: RegistrationResponseJSON;
}
