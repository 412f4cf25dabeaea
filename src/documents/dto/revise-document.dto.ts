import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { Label } from '../../common/validation/label';

export class ReviseDocumentDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The form's full data, as its JSON Schema in GET /api/networks describes",
    example: { officeName: '港みなと診療所', officeAddress: '大阪市港区1-2-3', managerName: '港 管理' },
  })
  @Label('データ')
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
