import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { LINE_STATUSES, LineStatus } from '../registrations.types';

export class RegistrationQueryDto {
  @ApiPropertyOptional({ enum: LINE_STATUSES, description: 'open: still to do in MCS; done: worked off. Absent: both' })
  @Label('状態')
  @IsOptionalText()
  @IsIn(LINE_STATUSES)
  status?: LineStatus;
}
