import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { WEBHOOK_EVENT_TYPES } from '../integrations.types';

export const WEBHOOK_URL_MAX = 500;

/** A new webhook, from the API or the page (whose ticked boxes come as one value or a list). */
export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://records.example.jp/renkei/webhooks',
    maxLength: WEBHOOK_URL_MAX,
    description: 'https (http only where WEBHOOK_ALLOW_PRIVATE=1)',
  })
  @Label('URL')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(WEBHOOK_URL_MAX)
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['signing.signed', 'document.sealed'] })
  @Label('イベント')
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray({ message: '$labelを1つ以上選んでください' })
  @ArrayNotEmpty({ message: '$labelを1つ以上選んでください' })
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: '$labelに知らないものがあります' })
  events!: string[];

  @ApiPropertyOptional({ example: '介護記録システム', maxLength: 100 })
  @Label('説明')
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  description?: string;
}

/** The answer to POST /api/webhooks (the only time the secret is shown). */
export class CreatedWebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Verifies webhook-signature; shown only in this answer' })
  secret!: string;
}

export class WebhookSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, type: Date, description: 'Failing since (no success between)' }) failingSince!: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Disabled after failing for 24 hours' }) disabledAt!: Date | null;
}
