import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { Address, ADDRESS_MAX, Email, PersonName, Phone, PostalCode } from '../../common/validation/rules';
import { IsKnownNetwork } from '../../networks/known-network.validator';
import { PLEDGE_METHODS, PledgeMethod } from '../onboarding.types';

/** An office's application (public). The network's application form's own fields go in `data`. */
export class CreateApplicationDto {
  @ApiProperty({ example: 'minato', description: 'Network id (GET /api/networks)' })
  @Label('ネットワーク')
  @Trim()
  @IsKnownNetwork()
  network!: string;

  @ApiProperty({ example: 'みなと港晴ケアプランセンター', maxLength: 60 })
  @Label('事業所名')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  officeName!: string;

  @ApiPropertyOptional({ example: '552-0000', description: '7 digits, with or without the hyphen' })
  @Label('郵便番号')
  @PostalCode()
  postalCode?: string;

  @ApiProperty({ example: '大阪市港区港晴一丁目2番3号', maxLength: ADDRESS_MAX })
  @Label('住所')
  @Address({ required: true })
  address!: string;

  @ApiProperty({ example: '06-0000-1234', maxLength: 20 })
  @Label('電話番号')
  @Phone({ required: true, digits: true })
  phone!: string;

  @ApiProperty({ example: '中村 隆', maxLength: 40 })
  @Label('管理者氏名')
  @PersonName()
  managerName!: string;

  @ApiProperty({ example: 'takashi.nakamura@example.jp', maxLength: 254, description: 'The invitation to set a password goes here' })
  @Label('管理者メールアドレス')
  @Email({ required: true })
  managerEmail!: string;

  @ApiPropertyOptional({
    enum: PLEDGE_METHODS,
    description: "Where the network has an office pledge (required there): 'esign' mails the manager a signing link on approval",
  })
  @Label('誓約書の提出方法')
  @IsOptionalText()
  @IsIn(PLEDGE_METHODS)
  pledgeMethod?: PledgeMethod;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The fields of the network's application form" })
  @Label('申込書の記入事項')
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
