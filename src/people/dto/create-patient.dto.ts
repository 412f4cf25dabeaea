import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsEmailLike, IsOptionalText, ListOf, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** More family contacts than any household has: a longer list is a mistake (or an attack), not a family. */
export const MAX_FAMILY_CONTACTS = 20;

export class FamilyContactDto {
  @ApiProperty({ example: '山田 一郎', maxLength: 40 })
  @Label('家族の氏名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  name!: string;

  @ApiProperty({ example: '長男', maxLength: 20 })
  @Label('続柄')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  relation!: string;

  @ApiPropertyOptional({ example: 'ichiro@example.jp', maxLength: 254 })
  @Label('家族のメールアドレス')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(254)
  @IsEmailLike()
  email?: string;

  @ApiPropertyOptional({ example: '090-0000-0000', maxLength: 20 })
  @Label('家族の電話番号')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(20)
  phone?: string;

  @ApiPropertyOptional({ example: '東京都東久留米市本町1-2-3', maxLength: 120 })
  @Label('家族の住所')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(120)
  address?: string;

  @ApiPropertyOptional({ description: 'When changing a patient: the id of the contact this row changes' })
  @Label('家族のID')
  @IsOptional()
  @IsUUID()
  id?: string;
}

export class CreatePatientDto {
  @ApiProperty({ example: '山田 ハル', maxLength: 40 })
  @Label('氏名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  name!: string;

  @ApiPropertyOptional({ example: 'やまだ はる', maxLength: 60 })
  @Label('ふりがな')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(60)
  nameKana?: string;

  @ApiPropertyOptional({ example: '1940-04-01', format: 'date' })
  @Label('生年月日')
  @Trim()
  @IsOptionalText()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '生年月日は YYYY-MM-DD で入力してください' })
  birthDate?: string;

  @ApiPropertyOptional({ example: '東京都東久留米市本町1-2-3', maxLength: 120 })
  @Label('住所')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(120)
  address?: string;

  @ApiPropertyOptional({ example: '042-000-0000', maxLength: 20 })
  @Label('電話番号')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(20)
  phone?: string;

  @ApiPropertyOptional({ type: [FamilyContactDto], maxItems: MAX_FAMILY_CONTACTS })
  @Label('家族')
  @IsOptional()
  @ListOf(() => FamilyContactDto, MAX_FAMILY_CONTACTS)
  family?: FamilyContactDto[];
}
