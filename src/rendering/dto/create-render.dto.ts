import { ApiProperty } from '@nestjs/swagger';

export class CreateRenderDto {
  @ApiProperty({ example: 'rurume', description: 'Network id (GET /api/networks)' })
  network!: string;

  @ApiProperty({ example: 'staff-pledge', description: 'Form id within the network' })
  form!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The form's data, as its JSON Schema in GET /api/networks describes",
    example: { officeName: '東久留米訪問看護ステーション', staffName: '山田 花子', email: 'hanako@example.jp' },
  })
  data!: Record<string, unknown>;
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
