import { ApiPropertyOptional } from '@nestjs/swagger';
import { Label } from '../../common/validation/label';
import { JapaneseDate } from '../../common/validation/rules';

export class LeaveStaffDto {
  @ApiPropertyOptional({ example: '2026-11-30', format: 'date', description: '退職日 (default: today); not in the future' })
  @Label('退職日')
  @JapaneseDate({ notFuture: true })
  leftOn?: string;
}
