import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { PageIndex, PageRequest, PageSize, pageOf as pageAt } from '../../common/validation/paging';
import { OfficeRef } from '../../common/validation/rules';
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
  @OfficeRef()
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

  @PageSize({ max: MAX_PAGE_SIZE, fallback: 100, about: 'Requirements per page' })
  limit?: number;

  @PageIndex({ about: 'Page of the requirements (1 is the first)' })
  page?: number;

  @PageSize({ max: MAX_PAGE_SIZE, fallback: 100, label: '事業所の件数', about: 'Offices (matrix rows) per page' })
  officeLimit?: number;

  @PageIndex({ label: '事業所のページ', about: 'Page of the offices (1 is the first)' })
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

/** A page number and size as an offset, the size capped at the matrix's maximum. */
export function pageOf(page: number | undefined, limit: number | undefined, fallback: number): PageRequest {
  return pageAt(page, limit, fallback, MAX_PAGE_SIZE);
}
