import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { Email } from '../../common/validation/rules';

/** Setting the password through an invitation link (the networks' rule: 8+ characters, letters and digits). */
export class AcceptInvitationDto {
  @ApiProperty({ format: 'password', description: '8–128 characters, letters and digits mixed', maxLength: 200 })
  @Label('パスワード')
  @IsString()
  @MaxLength(200)
  password!: string;
}

/** A manager invites a staff member of the office to an account of their own. */
export class InviteStaffDto {
  @ApiProperty({ example: '山田 花子', maxLength: 40 })
  @Label('氏名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  name!: string;

  @ApiProperty({ example: 'hanako@example.jp', maxLength: 254 })
  @Label('メールアドレス')
  @Email({ required: true })
  email!: string;
}
