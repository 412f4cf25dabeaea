import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { Address, ADDRESS_MAX, Phone, PostalCode } from '../../common/validation/rules';
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
  @PostalCode()
  postalCode?: string;

  @ApiPropertyOptional({ example: '東京都東久留米市本町1-2-3', maxLength: ADDRESS_MAX })
  @Label('住所')
  @Address()
  address?: string;

  @ApiPropertyOptional({ example: '042-000-0000', maxLength: 20 })
  @Label('電話番号')
  @Phone()
  phone?: string;
}
