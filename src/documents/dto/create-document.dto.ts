import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export class CreateDocumentDto {
  @ApiProperty({ example: 'staff-pledge', description: "A form of the office's network (GET /api/networks)" })
  @Label('様式')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  form!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'The staff member or patient the form is about, when its subject is staff or patient',
  })
  @Label('対象')
  @IsOptionalText()
  @IsString()
  subjectId?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Data over the prefilled draft, as the form's JSON Schema in GET /api/networks describes",
  })
  @Label('データ')
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
