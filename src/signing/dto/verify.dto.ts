import { ApiProperty } from '@nestjs/swagger';

/** Documents the upload only: the file is read by @Upload('file'), and its absence is answered by the route. */
export class VerifyUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The PDF to check' })
  file!: unknown;
}
