import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { CELL_STATUSES, CellStatus } from '../secretariat-dashboard.service';

/** The secretariat matrix's filters (the API's, and the 事務局 page's form). */
export class MatrixQueryDto {
  @ApiPropertyOptional({ example: 'rurume', description: 'The network (admin only; a 事務局 sees its own)' })
  @Label('ネットワーク')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  network?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One office' })
  @Label('事業所')
  @IsOptionalText()
  @IsUUID(undefined, { message: '事業所の指定が正しくありません' })
  office?: string;

  @ApiPropertyOptional({ enum: CELL_STATUSES })
  @Label('状態')
  @IsOptionalText()
  @IsIn(CELL_STATUSES)
  status?: CellStatus;

  @ApiPropertyOptional({ enum: ['1'], description: '1: only what is overdue' })
  @Label('期限超過のみ')
  @IsOptionalText()
  @IsIn(['1', '0'])
  overdue?: string;
}
