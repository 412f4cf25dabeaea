import { IsOptional, IsString, MaxLength } from 'class-validator';
import { KeepsUnknownFields } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { SameAs } from '../../common/validation/rules';

/**
 * The public application page's fields, as posted: kept as they are here, so that onboarding checks them all
 * at once (the office, its manager, the application form under data[…]) and the page shows each problem
 * beside its input.
 */
@KeepsUnknownFields()
export class ApplyFormDto {
  // Labels only, for the messages of the pipe's own checks (an odd character): onboarding checks the values.
  @Label('事業所名') officeName?: unknown;
  @Label('郵便番号') postalCode?: unknown;
  @Label('住所') address?: unknown;
  @Label('電話番号') phone?: unknown;
  @Label('管理者氏名') managerName?: unknown;
  @Label('管理者メールアドレス') managerEmail?: unknown;
}

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
  @SameAs('password', '確認のため、同じパスワードを2回入力してください')
  passwordConfirm?: string;
}
