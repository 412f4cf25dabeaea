import Handlebars from 'handlebars';

/** What a confirmation says: the page's title, what will happen, and the button that does it. */
export interface Confirmation {
  title: string;
  lead: string;
  submit: string;
  /** An action that cannot be undone or that sends something: its button is drawn as a warning. */
  danger?: boolean;
}

/**
 * Every irreversible or outgoing action of the pages asks first. A form opts in with `{{confirm "key"}}`, which
 * adds the hidden field CONFIRM_FIELD: with JavaScript (assets/confirm.js) a dialog asks and the field is taken
 * out before the form is sent; without it, the post arrives with the field and ConfirmFirstGuard
 * (confirm-first.interceptor.ts) answers the confirmation page, whose button posts the same values again
 * without it. A client that posts without the field (the API, a script) is not asked.
 */
export const CONFIRMATIONS: Record<string, Confirmation> = {
  'document.issue': {
    title: '書類の発行',
    lead: 'この書類を発行します。原本と写しを印刷用PDFにし、書類番号が確定します。発行した内容は書き換えられません。',
    submit: '発行する',
  },
  'document.withdraw': {
    title: '書類の取り下げ',
    lead: 'この書類を取り下げます。送った署名のリンクは使えなくなります。元に戻せません。',
    submit: '取り下げる',
    danger: true,
  },
  'document.paper-signature': {
    title: '署名済みとして記録',
    lead: '署名済みの原本が戻ったものとして記録します。この書類は「署名済」になり、電子署名の依頼はできなくなります。',
    submit: '記録する',
  },
  'signing.resend': {
    title: 'リンクの再送',
    lead: '署名者に新しいリンクをメールで送ります。前に送ったリンクは使えなくなります。',
    submit: 'リンクを再送',
  },
  'consent.withdraw': {
    title: '同意の撤回の記録',
    lead: 'この同意書を「撤回」にし、撤回受付票を封緘して患者側と事業所の双方にお渡しします。元に戻せません。',
    submit: '撤回を記録する',
    danger: true,
  },
  'follow-up.send': {
    title: '督促メールの送信',
    lead: 'この事業所の管理者に、未提出の書類・未着の原本・未回答の質問を一覧にした督促メールを送ります。',
    submit: '督促メールを送る',
  },
  'application.approve': {
    title: '利用申込の承認',
    lead: '事業所と管理者のアカウントを作成し、管理者にパスワード設定の招待メールを送ります。元に戻せません。',
    submit: '承認する',
  },
  'invitation.resend': {
    title: '招待メールの再送',
    lead: 'このアカウントに、パスワードを設定するリンクを新しく作ってメールで送ります。前に送ったリンクは使えなくなります。',
    submit: '招待メールを再送',
  },
  'webhook.test': {
    title: 'Webhookのテスト送信',
    lead: '登録先のURLに、テスト用のイベント（webhook.test。書類の内容は含みません）を1件送ります。',
    submit: 'テスト送信',
  },
  'webhook.retry': {
    title: 'Webhookの再送',
    lead: 'この送信と同じイベント（同じ内容・同じ webhook-id）を、登録先のURLへもう一度送ります。',
    submit: '再送する',
  },
  'webhook.delete': {
    title: 'Webhookの削除',
    lead: 'このWebhookを削除します。登録先のURLには、これからイベントが送られなくなり、送信の記録も見られなくなります。元に戻せません（再び使うには登録し直します。秘密鍵も新しくなります）。',
    submit: '削除する',
    danger: true,
  },
  'api-key.revoke': {
    title: 'APIキーの取り消し',
    lead: 'このAPIキーを取り消します。このキーを使っている連携（電子カルテ・スクリプトなど）は、すぐに使えなくなります。元に戻せません。',
    submit: '取り消す',
    danger: true,
  },
  'user.lock': {
    title: 'アカウントの利用停止',
    lead: 'このアカウントを利用停止にします。ログインできなくなり、ログイン中の端末もすべてログアウトします。APIキーも使えなくなります。「利用を再開する」で戻せます。',
    submit: '利用停止にする',
    danger: true,
  },
  'legal-hold.release': {
    title: '法的保存の解除',
    lead: 'この患者の法的保存を解除します。解除すると、保存期間を過ぎた書類の廃棄と、消去の請求に応じた消去ができるようになります。',
    submit: '法的保存を解除する',
    danger: true,
  },
  'rights.suspension-answer': {
    title: '利用停止の請求への回答',
    lead: '利用停止の請求への回答を記録します。「応じた」を選んだ場合は、この患者の利用を停止し、新しい書類を作成できなくなります。元に戻せません。',
    submit: '回答を記録する',
    danger: true,
  },
  'mfa.totp.remove': {
    title: '認証アプリの設定の解除',
    lead: '認証アプリの設定を解除します。これからのログインでは、このアプリの確認コードは使えません。登録のメールアドレスにお知らせします。',
    submit: '設定を解除する',
    danger: true,
  },
  'mfa.passkey.remove': {
    title: 'パスキーの削除',
    lead: 'このパスキーを削除します。これからのログインでは、このパスキーは使えません。登録のメールアドレスにお知らせします。',
    submit: '削除する',
    danger: true,
  },
  'application.reject': {
    title: '利用申込の却下',
    lead: '申込を却下し、申込者に理由をメールで伝えます。元に戻せません。',
    submit: '却下する',
    danger: true,
  },
};

export const CONFIRM_FIELD = '_confirm';
/** The page the form is on, for the confirmation page's 戻る (pages send no Referer). */
export const CONFIRM_BACK_FIELD = '_back';

/**
 * `{{confirm "key"}}` in a posting form: the hidden field, carrying the dialog's text for assets/confirm.js,
 * and the page it is on (WebViews gives every page its own path as `pagePath`).
 */
export function confirmField(key: string, pagePath: unknown): Handlebars.SafeString {
  const confirmation = CONFIRMATIONS[key];
  if (!confirmation) throw new Error(`no confirmation ${key}`);
  const attr = Handlebars.escapeExpression;
  return new Handlebars.SafeString(
    `<input type="hidden" name="${CONFIRM_FIELD}" value="${attr(key)}" data-title="${attr(confirmation.title)}"` +
      ` data-lead="${attr(confirmation.lead)}" data-submit="${attr(confirmation.submit)}"${confirmation.danger ? ' data-danger' : ''}>` +
      (typeof pagePath === 'string' ? `<input type="hidden" name="${CONFIRM_BACK_FIELD}" value="${attr(pagePath)}">` : ''),
  );
}
