import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { CELL_STATUSES, CellStatus, MAX_PAGE_SIZE, RequirementFilter } from '../secretariat-dashboard.service';

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

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

/** The matrix's filters and its two pages: the offices (rows of the matrix) and the requirements (one per form and person). */
export class MatrixPageQueryDto extends MatrixQueryDto {
  @ApiPropertyOptional({ description: 'Part of an office’s name, or its id' })
  @Label('名前・IDで検索')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'One required form (a column of the matrix), by its id' })
  @Label('様式')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  form?: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: 100,
    description: `Requirements per page (at most ${MAX_PAGE_SIZE})`,
  })
  @Label('件数')
  @Transform(toInt)
  @IsOptionalText()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ type: Number, minimum: 1, default: 1, description: 'Page of the requirements (1 is the first)' })
  @Label('ページ')
  @Transform(toInt)
  @IsOptionalText()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: 100,
    description: `Offices (matrix rows) per page (at most ${MAX_PAGE_SIZE})`,
  })
  @Label('事業所の件数')
  @Transform(toInt)
  @IsOptionalText()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  officeLimit?: number;

  @ApiPropertyOptional({ type: Number, minimum: 1, default: 1, description: 'Page of the offices (1 is the first)' })
  @Label('事業所のページ')
  @Transform(toInt)
  @IsOptionalText()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  officePage?: number;
}

/** The filter a query asks for. */
export function filterFrom(query: MatrixPageQueryDto): RequirementFilter {
  return {
    officeId: query.office || undefined,
    status: query.status || undefined,
    overdueOnly: query.overdue === '1',
    officeText: query.q || undefined,
    formId: query.form || undefined,
  };
}

/** A page number and size as an offset, the size capped at the maximum. */
export function pageOf(page: number | undefined, limit: number | undefined, fallback: number) {
  const size = Math.min(limit || fallback, MAX_PAGE_SIZE);
  const number = page || 1;
  return { page: number, limit: size, offset: (number - 1) * size };
}
