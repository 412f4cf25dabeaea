import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { Label } from '../../common/validation/label';
import { Email, JapaneseDate, NameKana, OneOf, PersonName, ShortText } from '../../common/validation/rules';
import { STAFF_GENDERS, StaffGender } from '../people.types';

export class CreateStaffDto {
  @ApiProperty({ example: '山田 花子', maxLength: 40 })
  @Label('氏名')
  @PersonName()
  name!: string;

  @ApiPropertyOptional({ example: 'やまだ はなこ', maxLength: 60 })
  @Label('ふりがな')
  @NameKana()
  nameKana?: string;

  @ApiPropertyOptional({ example: '看護師', maxLength: 20 })
  @Label('職種')
  @ShortText({ max: 20 })
  jobTitle?: string;

  @ApiPropertyOptional({ example: 'hanako@example.jp', maxLength: 254 })
  @Label('メールアドレス')
  @Email()
  email?: string;

  @ApiPropertyOptional({ enum: STAFF_GENDERS, description: '性別 (the staff-change notices list it)' })
  @Label('性別')
  @OneOf(STAFF_GENDERS)
  gender?: StaffGender | '';

  @ApiPropertyOptional({ example: '2026-04-01', format: 'date' })
  @Label('入職日')
  @JapaneseDate()
  joinedOn?: string;

  @ApiPropertyOptional({ description: 'The office’s manager (管理者)' })
  @Label('管理者')
  @IsOptional()
  @IsBoolean()
  isManager?: boolean;
}
