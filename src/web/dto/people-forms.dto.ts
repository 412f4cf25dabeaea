import { IsOptional } from 'class-validator';
import { Label } from '../../common/validation/label';
import { LinesCheckedByService } from '../../common/validation/text-rules';

/**
 * The patient form (new or changed) as typed. Only the fields are named here: every rule (required, length,
 * date, type) is the people service's, so that any mistake, a list where text belongs included, comes back
 * as the same page with the message beside its field rather than an error page.
 */
@LinesCheckedByService()
export class PatientFormDto {
  @Label('氏名')
  @IsOptional()
  name?: unknown;

  @Label('ふりがな')
  @IsOptional()
  nameKana?: unknown;

  @Label('生年月日')
  @IsOptional()
  birthDate?: unknown;

  @Label('住所')
  @IsOptional()
  address?: unknown;

  @Label('電話番号')
  @IsOptional()
  phone?: unknown;

  /** Rows of 氏名, 続柄, メールアドレス, 電話番号, 住所 (and the contact's id when changing), each with its 削除 box. */
  @Label('家族')
  @IsOptional()
  family?: unknown;

  /** The 「家族の欄を追加」 button: show the form again with one more blank row, saving nothing. */
  @Label('家族の欄を追加')
  @IsOptional()
  _add?: unknown;
}

/** A staff member's leaving (退職), with the day the clerk chose. */
@LinesCheckedByService()
export class LeaveFormDto {
  @Label('退職日')
  @IsOptional()
  leftOn?: unknown;
}
