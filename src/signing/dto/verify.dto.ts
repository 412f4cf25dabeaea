import { ApiProperty } from '@nestjs/swagger';

/** Documents the upload only: the file is read by @Upload('file'), and its absence is answered by the route. */
export class VerifyUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The PDF to check' })
  file!: unknown;
}

class VerifiedTimestampDto {
  @ApiProperty({ enum: ['signature', 'document'], description: 'signature: on the seal (RFC 3161 in the CMS); document: a /DocTimeStamp' })
  kind!: 'signature' | 'document';

  @ApiProperty({ format: 'date-time', description: 'The time the authority certified' })
  time!: string;

  @ApiProperty({ description: 'The timestamping authority, from its certificate: "common name (organization)"' })
  issuer!: string;
}

/** What /api/verify answers: about the file and the document, never about a person. */
export class VerificationDto {
  @ApiProperty({
    description: 'Byte for byte a file this service sealed (with its own later validation data and document timestamps), its seal intact',
  })
  sealedByService!: boolean;

  @ApiProperty({ description: 'It begins with a file this service sealed, and something was added or changed after the seal' })
  altered!: boolean;

  @ApiProperty({ type: String, nullable: true })
  documentNumber!: string | null;

  @ApiProperty({ type: String, nullable: true })
  form!: string | null;

  @ApiProperty({ type: String, nullable: true })
  network!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'When it was sealed (Japan time, as printed)' })
  sealedAt!: string | null;

  @ApiProperty({
    nullable: true,
    description: 'The seal’s RFC 3161 timestamp (Japan time, as printed)',
    example: { time: '2026/12/06 12:00:00', authority: 'TSA (Org)' },
  })
  timestamp!: { time: string; authority: string } | null;

  @ApiProperty({
    enum: ['B-B', 'B-T', 'B-LT', 'B-LTA'],
    nullable: true,
    description:
      'PAdES level: B-B seal only; B-T with a signature timestamp; B-LT with validation data (DSS); B-LTA with a document timestamp',
  })
  level!: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;

  @ApiProperty({ type: [VerifiedTimestampDto], description: 'Every timestamp that holds, oldest first' })
  timestamps!: VerifiedTimestampDto[];

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Until when the newest timestamp keeps the file verifiable as it is (its authority certificate’s expiry); renewed before then',
  })
  verifiableUntil!: string | null;

  @ApiProperty({
    enum: ['valid', 'revoked', 'withdrawn', 'superseded'],
    nullable: true,
    description:
      'The document now: valid; revoked (the consent was withdrawn, 撤回); withdrawn (取り下げ); superseded by a signed correction',
  })
  state!: 'valid' | 'revoked' | 'withdrawn' | 'superseded' | null;

  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'The day (Japan) the state began: for revoked, the day the withdrawal was received; null while valid',
  })
  stateSince!: string | null;

  @ApiProperty()
  message!: string;
}
