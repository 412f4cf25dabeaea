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

/** The answer to POST /api/api-keys (the only time the key is shown). */
export class CreatedApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '介護記録システム' }) name!: string;
  @ApiProperty({ example: 'rk_2F…', description: 'Send as `Authorization: Bearer <key>`. Shown only in this answer' }) key!: string;
}

export class ApiKeySummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'rk_2Fq9xZa', description: 'The first characters of the key, to tell keys apart' }) prefix!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt!: Date | null;
}
