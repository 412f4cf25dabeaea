import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsEmailLike, IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { STAFF_GENDERS, StaffGender } from '../people.types';

export class CreateStaffDto {
  @ApiProperty({ example: '山田 花子', maxLength: 40 })
  @Label('氏名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  name!: string;

  @ApiPropertyOptional({ example: 'やまだ はなこ', maxLength: 60 })
  @Label('ふりがな')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(60)
  nameKana?: string;

  @ApiPropertyOptional({ example: '看護師', maxLength: 20 })
  @Label('職種')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(20)
  jobTitle?: string;

  @ApiPropertyOptional({ example: 'hanako@example.jp', maxLength: 254 })
  @Label('メールアドレス')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(254)
  @IsEmailLike()
  email?: string;

  @ApiPropertyOptional({ enum: STAFF_GENDERS, description: '性別 (the staff-change notices list it)' })
  @Label('性別')
  @IsOptionalText()
  @IsIn(STAFF_GENDERS)
  gender?: StaffGender;

  @ApiPropertyOptional({ example: '2026-04-01', format: 'date' })
  @Label('入職日')
  @Trim()
  @IsOptionalText()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '入職日は YYYY-MM-DD で入力してください' })
  joinedOn?: string;

  @ApiPropertyOptional({ description: 'The office’s manager (管理者)' })
  @Label('管理者')
  @IsOptional()
  @IsBoolean()
  isManager?: boolean;
}
