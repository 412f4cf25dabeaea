import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, IsUUID, MaxLength, registerDecorator } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { Email } from '../../common/validation/rules';
import { IsKnownNetwork } from '../../networks/known-network.validator';
import { ROLES, Role } from '../accounts.types';
import { passwordProblem } from '../passwords';

/** The networks' password rule (passwords.ts), as a rule of the request. */
function IsAcceptablePassword(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && passwordProblem(value) === null,
        defaultMessage: (args) =>
          (typeof args?.value === 'string' ? passwordProblem(args.value) : null) ?? '$labelは文字列で指定してください',
      },
    });
}

export class CreateUserDto {
  @ApiProperty({ example: 'minato-manager@example.jp', maxLength: 254 })
  @Label('メールアドレス')
  @Email({ required: true })
  email!: string;

  @ApiProperty({ example: '港 管理', maxLength: 40 })
  @Label('氏名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  name!: string;

  @ApiProperty({
    format: 'password',
    description: '8+ characters, letters and digits mixed, at most 72 bytes, not a common password',
    minLength: 8,
  })
  @Label('パスワード')
  @IsAcceptablePassword()
  password!: string;

  @ApiProperty({ enum: ROLES })
  @Label('役割')
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'The office, for office_manager and office_staff' })
  @Label('事業所')
  @IsOptionalText()
  @IsUUID()
  officeId?: string | null;

  @ApiPropertyOptional({ example: 'rurume', nullable: true, description: 'The network, for secretariat' })
  @Label('ネットワーク')
  @IsOptionalText()
  @IsKnownNetwork()
  networkId?: string | null;
}
