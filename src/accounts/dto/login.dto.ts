import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

export class LoginDto {
  @ApiProperty({ example: 'manager@example.jp', maxLength: 254 })
  @Label('メールアドレス')
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ format: 'password', maxLength: 200 })
  @Label('パスワード')
  @IsString()
  @MaxLength(200)
  password!: string;
}
