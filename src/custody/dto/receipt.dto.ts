import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

export class ReceiptDto {
  @ApiProperty({ description: 'The code printed on the original (as its QR code reads)', maxLength: 64 })
  @Label('書類番号')
  @Trim()
  @IsString()
  @IsNotEmpty({ message: '書類番号を入力してください' })
  @MaxLength(64)
  code!: string;
}
