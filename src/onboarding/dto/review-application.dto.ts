import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MultiLine } from '../../common/validation/text-rules';
import { APPLICATION_STATUSES, ApplicationStatus } from '../onboarding.types';

export class RejectApplicationDto {
  @ApiProperty({ example: '医師会の会員事業所ではないため', maxLength: 1000, description: 'Mailed to the applicant' })
  @Label('却下の理由')
  @MultiLine()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class ApplicationQueryDto {
  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
  @Label('状態')
  @IsOptionalText()
  @IsIn(APPLICATION_STATUSES)
  status?: ApplicationStatus;
}
