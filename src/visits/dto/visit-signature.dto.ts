import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { Label } from '../../common/validation/label';
import { SignatureDto } from '../../signing/dto/signature.dto';

/** A decline on the tablet, with the reason the signer gave (optional, as on the family's page). */
export class VisitDeclineDto {
  @ApiPropertyOptional({ maxLength: 500, example: '家族と相談してから決めたい' })
  @Label('辞退の理由')
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

/** A signature (or a decline) made on the tablet during a visit, sent when it is online again. */
export class VisitSignatureDto {
  @ApiProperty({ description: 'The taken document (documents[].id of GET /api/visits/current)', format: 'uuid' })
  @Label('持ち出した書類')
  @IsUUID()
  visitDocumentId!: string;

  @ApiProperty({ format: 'uuid' })
  @Label('署名者')
  @IsUUID()
  signerId!: string;

  @ApiProperty({ description: "The device's time of signing (ISO 8601)", example: '2026-12-06T10:15:00+09:00' })
  @Label('端末での署名日時')
  @IsISO8601({ strict: true })
  signedAt!: string;

  @ApiPropertyOptional({ type: SignatureDto, description: 'What the signer entered, as on the in-person signing page (or send decline)' })
  @Label('署名')
  @IsOptional()
  @ValidateNested()
  @Type(() => SignatureDto)
  signature?: SignatureDto;

  @ApiPropertyOptional({ type: () => VisitDeclineDto, description: 'The signer declined on the tablet (instead of signature)' })
  @Label('辞退')
  @IsOptional()
  @ValidateNested()
  @Type(() => VisitDeclineDto)
  decline?: VisitDeclineDto;
}

export class TakeOnVisitDto {
  @ApiProperty({ format: 'uuid' })
  @Label('書類')
  @IsUUID()
  documentId!: string;
}

export class PrepareDeviceDto {
  @ApiProperty({ description: "The logged-in staff member's password" })
  @Label('パスワード')
  @IsString()
  @MaxLength(200)
  password!: string;
}
