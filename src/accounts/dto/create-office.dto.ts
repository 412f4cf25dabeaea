import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { IsKnownNetwork } from '../../networks/known-network.validator';

export class CreateOfficeDto {
  @ApiProperty({ example: 'rurume', description: 'Network id (GET /api/networks)' })
  @Label('ネットワーク')
  @Trim()
  @IsKnownNetwork()
  networkId!: string;

  @ApiProperty({ example: '港みなと診療所', maxLength: 60 })
  @Label('事業所名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  name!: string;

  @ApiPropertyOptional({ example: '203-0053', description: '7 digits, with or without the hyphen (full-width digits are accepted)' })
  @Label('郵便番号')
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().normalize('NFKC') : value))
  @IsOptionalText()
  @IsString()
  @Matches(/^\d{3}-?\d{4}$/, { message: '郵便番号は7桁で入力してください（例: 203-0053）' })
  postalCode?: string;

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
}
