import { IsOptional, IsString, MaxLength } from 'class-validator';
import { KeepsUnknownFields } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/**
 * The public application page's fields, as posted: kept as they are here, so that onboarding checks them all
 * at once (the office, its manager, the application form under data[…]) and the page shows each problem
 * beside its input.
 */
@KeepsUnknownFields()
export class ApplyFormDto {}

/** Setting a password through an invitation link, typed twice. */
export class InviteFormDto {
  @Label('パスワード')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;

  @Label('パスワード（確認）')
  @IsOptional()
  @IsString()
  @MaxLength(200)
  passwordConfirm?: string;
}
