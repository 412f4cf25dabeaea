import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** The 事務局's receipt form. A blank code is answered on the page itself, like a code that is not found. */
export class ReceiptFormDto {
  @Label('書類番号')
  @Trim()
  @IsString({ message: '書類番号を入力してください' })
  @IsNotEmpty({ message: '書類番号を入力してください' })
  @MaxLength(64)
  code!: string;
}
