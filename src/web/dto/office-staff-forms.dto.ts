import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';
import { LinesCheckedByService } from '../../common/validation/text-rules';

/**
 * The staff form (new or changed), as typed: the people service checks every rule (a list where text
 * belongs included) and the page shows each problem beside its field.
 */
@LinesCheckedByService()
export class StaffFormDto {
  @Label('氏名')
  @IsOptional()
  name?: unknown;

  @Label('ふりがな')
  @IsOptional()
  nameKana?: unknown;

  @Label('職種')
  @IsOptional()
  jobTitle?: unknown;

  @Label('メールアドレス')
  @IsOptional()
  email?: unknown;

  @Label('性別')
  @IsOptional()
  gender?: unknown;

  @Label('入職日')
  @IsOptional()
  joinedOn?: unknown;

  @Label('管理者')
  @IsOptional()
  isManager?: unknown;
}

/** One training attendance, from a staff member's row. */
export class TrainingFormDto {
  @Label('受講日')
  @IsOptional()
  @IsString()
  @MaxLength(20)
  date?: string;

  @Label('研修の種類')
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;
}

/** A manager invites a staff member to an account. */
export class InviteStaffFormDto {
  @Label('氏名')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @Label('メールアドレス')
  @IsOptional()
  @IsString()
  @MaxLength(300)
  email?: string;
}
