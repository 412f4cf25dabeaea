import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MultiLine } from '../../common/validation/text-rules';
import { WITHDRAWAL_CHANNELS, WithdrawalChannel } from '../rights.types';
import { IsReceivedDate } from './received-date';

export class ConsentWithdrawalDto {
  @ApiProperty({
    enum: WITHDRAWAL_CHANNELS,
    description: '書面, 電話, 来所, or the family’s own request through the link in their copy e-mail',
  })
  @Label('受付方法')
  @IsIn(WITHDRAWAL_CHANNELS)
  receivedVia!: WithdrawalChannel;

  @ApiProperty({ example: '2026-12-01', description: 'The day the withdrawal was received (not in the future, not before the consent)' })
  @Label('撤回の受付日')
  @IsReceivedDate()
  receivedAt!: string;

  @ApiPropertyOptional({ maxLength: 500, example: '長男様よりお電話で申し出' })
  @Label('備考')
  @MultiLine()
  @Trim()
  @IsOptionalText()
  @IsString()
  @MaxLength(500)
  note?: string;
}
