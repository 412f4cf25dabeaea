import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export const API_KEY_NAME_MAX = 60;

export class CreateApiKeyDto {
  @ApiProperty({
    example: '介護記録システム',
    maxLength: API_KEY_NAME_MAX,
    description: 'What the key is for (shown in the list and the audit log)',
  })
  @Label('キーの名前')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(API_KEY_NAME_MAX)
  name!: string;
}
