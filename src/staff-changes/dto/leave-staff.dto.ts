import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { Label } from '../../common/validation/label';

export class LeaveStaffDto {
  @ApiPropertyOptional({ example: '2026-11-30', format: 'date', description: '退職日 (default: today); not in the future' })
  @Label('退職日')
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '退職日は YYYY-MM-DD で入力してください' })
  leftOn?: string;
}
