import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsEmailLike, IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

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

  @ApiPropertyOptional({ description: 'The office’s manager (管理者)' })
  @Label('管理者')
  @IsOptional()
  @IsBoolean()
  isManager?: boolean;
}
