import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

export class CreateRenderDto {
  @ApiProperty({ example: 'rurume', description: 'Network id (GET /api/networks)' })
  @Label('ネットワーク')
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  network!: string;

  @ApiProperty({ example: 'staff-pledge', description: 'Form id within the network' })
  @Label('様式')
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  form!: string;

  // Only its shape: the catalogue's JSON-schema validator checks the fields (networks/form-data.validator.ts).
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "The form's data, as its JSON Schema in GET /api/networks describes",
    example: { officeName: '東久留米訪問看護ステーション', staffName: '山田 花子', email: 'hanako@example.jp' },
  })
  @Label('データ')
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

export class RenderStatusDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() network!: string;
  @ApiProperty() form!: string;
  @ApiProperty({ enum: ['queued', 'done', 'failed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'sha256 of the PDF, once done' }) sha256!: string | null;
  @ApiProperty() statusUrl!: string;
  @ApiProperty() pdfUrl!: string;
}
