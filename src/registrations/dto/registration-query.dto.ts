import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { ListPageQueryDto } from '../../common/validation/paging';
import { OfficeRef } from '../../common/validation/rules';
import { LINE_STATUSES, LineStatus } from '../registrations.types';

/** The CSV's filter (every line: it streams). */
export class RegistrationCsvQueryDto {
  @ApiPropertyOptional({ enum: LINE_STATUSES, description: 'open: still to do in MCS; done: worked off. Absent: both' })
  @Label('状態')
  @IsOptionalText()
  @IsIn(LINE_STATUSES)
  status?: LineStatus;
}

/** The list API's filter and page (`limit`, `page`: see ListPageQueryDto). */
export class RegistrationQueryDto extends ListPageQueryDto {
  @ApiPropertyOptional({ enum: LINE_STATUSES, description: 'open: still to do in MCS; done: worked off. Absent: both' })
  @Label('状態')
  @IsOptionalText()
  @IsIn(LINE_STATUSES)
  status?: LineStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this office’s lines' })
  @OfficeRef()
  office?: string;
}
