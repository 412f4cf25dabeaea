import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { formatJst } from '../common/japan-date';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { CurrentUser } from '../common/auth/current-user';

export type FactorChange =
  'totp_enrolled' | 'totp_replaced' | 'totp_removed' | 'passkey_added' | 'passkey_removed' | 'recovery_codes_issued';

const WHAT_CHANGED: Record<FactorChange, string> = {
  totp_enrolled: '認証アプリを設定しました（回復コードも新しく発行しました）',
  totp_replaced: '認証アプリを別のものに設定し直しました（回復コードも新しく発行しました）',
  totp_removed: '認証アプリの設定を解除しました',
  passkey_added: 'パスキーを登録しました',
  passkey_removed: 'パスキーを削除しました',
  recovery_codes_issued: '回復コードを新しく発行しました（いままでのコードは使えません）',
};

/**
 * Tells the account's owner each change to their second factors or recovery codes: what changed and when,
 * never a secret. Written to the outbox in the change's own transaction, so there is no change without its mail.
 */
@Injectable()
export class FactorNotices {
  constructor(private readonly mail: MailService) {}

  async changed(tx: EntityManager, user: CurrentUser, change: FactorChange): Promise<QueuedMail> {
    // Not a network's message: one wording for every account, admins (no network) included.
    const message = this.mail.compose('_shared', 'account-security', {
      recipientName: user.name,
      email: user.email,
      change: WHAT_CHANGED[change],
      at: formatJst(new Date()),
    });
    return this.mail.enqueue(tx, { kind: 'account-security', to: user.email, ...message });
  }

  /** After the commit. */
  async send(queued: QueuedMail[]): Promise<void> {
    await this.mail.dispatch(queued);
  }
}
