import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

/** Old and new password; the new one is checked by the networks' rule in the service (passwords.ts). */
export class ChangePasswordDto {
  @ApiProperty({ format: 'password', maxLength: 200 })
  @Label('現在のパスワード')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  currentPassword!: string;

  @ApiProperty({ format: 'password', description: '8+ characters, letters and digits, at most 72 bytes, not a common password' })
  @Label('新しいパスワード')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  newPassword!: string;
}
