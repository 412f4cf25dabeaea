import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { IsOptionalText, ListOf } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { Address, ADDRESS_MAX, Email, JapaneseDate, NameKana, PersonName, Phone, ShortText } from '../../common/validation/rules';

/** More family contacts than any household has: a longer list is a mistake (or an attack), not a family. */
export const MAX_FAMILY_CONTACTS = 20;

/** How the family list refuses what is not a list of rows, or too many of them (the page and the API alike). */
export const FAMILY_LIST = { notAList: '$labelは一覧で指定してください', tooMany: `$labelは${MAX_FAMILY_CONTACTS}名までです` };

export class FamilyContactDto {
  @ApiProperty({ example: '山田 一郎', maxLength: 40 })
  @Label('家族の氏名')
  @PersonName()
  name!: string;

  @ApiProperty({ example: '長男', maxLength: 20 })
  @Label('続柄')
  @ShortText({ required: true, max: 20 })
  relation!: string;

  @ApiPropertyOptional({ example: 'ichiro@example.jp', maxLength: 254 })
  @Label('家族のメールアドレス')
  @Email()
  email?: string;

  @ApiPropertyOptional({ example: '090-0000-0000', maxLength: 20 })
  @Label('家族の電話番号')
  @Phone()
  phone?: string;

  @ApiPropertyOptional({ example: '東京都東久留米市本町1-2-3', maxLength: ADDRESS_MAX })
  @Label('家族の住所')
  @Address()
  address?: string;

  @ApiPropertyOptional({ description: 'When changing a patient: the id of the contact this row changes' })
  @Label('家族のID')
  @IsOptionalText()
  @IsUUID()
  id?: string;
}

export class CreatePatientDto {
  @ApiProperty({ example: '山田 ハル', maxLength: 40 })
  @Label('氏名')
  @PersonName()
  name!: string;

  @ApiPropertyOptional({ example: 'やまだ はる', maxLength: 60 })
  @Label('ふりがな')
  @NameKana()
  nameKana?: string;

  @ApiPropertyOptional({ example: '1940-04-01', format: 'date', description: 'Not in the future' })
  @Label('生年月日')
  @JapaneseDate({ notFuture: true })
  birthDate?: string;

  @ApiPropertyOptional({ example: '東京都東久留米市本町1-2-3', maxLength: ADDRESS_MAX })
  @Label('住所')
  @Address()
  address?: string;

  @ApiPropertyOptional({ example: '042-000-0000', maxLength: 20 })
  @Label('電話番号')
  @Phone()
  phone?: string;

  @ApiPropertyOptional({ type: [FamilyContactDto], maxItems: MAX_FAMILY_CONTACTS })
  @Label('家族')
  @IsOptional()
  @ListOf(() => FamilyContactDto, MAX_FAMILY_CONTACTS, FAMILY_LIST)
  family?: FamilyContactDto[];
}
