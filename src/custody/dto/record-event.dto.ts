import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength, registerDecorator } from 'class-validator';
import { Label } from '../../common/validation/label';
import { CLOCK_SKEW_MS } from '../custody.rules';
import { CustodyEventType } from '../custody.types';

/** What people record; issued and signed_electronically are the system's own. */
export const RECORDABLE_EVENTS = ['printed', 'signed', 'mailed', 'handed_to_family', 'destroyed', 'received', 'returned'] as const;

function IsNotInFuture(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isNotInFuture',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || new Date(value).getTime() <= Date.now() + CLOCK_SKEW_MS,
        defaultMessage: () => '$labelは過去の日時を ISO 8601 で指定してください',
      },
    });
}

export class RecordEventDto {
  @ApiProperty({ enum: RECORDABLE_EVENTS, description: 'received and returned: 事務局 only' })
  @Label('種類')
  @IsIn(RECORDABLE_EVENTS)
  type!: CustodyEventType;

  @ApiPropertyOptional({ maxLength: 500, example: '普通郵便' })
  @Label('備考')
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When it happened (default: now); not before the document was issued, not in the future',
  })
  @Label('日時')
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '$labelは過去の日時を ISO 8601 で指定してください' })
  @IsNotInFuture()
  occurredAt?: string;
}
