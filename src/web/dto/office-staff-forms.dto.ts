import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

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
