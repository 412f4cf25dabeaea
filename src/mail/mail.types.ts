/** What other features may know of mail: plain shapes, never the outbox table. */

export type MailKind = 'signing-request' | 'reminder' | 'expired' | 'signed-copy';

export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  body: string;
}

/** A message in the outbox, written in the caller's transaction: hand it to `MailService.dispatch` after the commit. */
export interface QueuedMail {
  id: string;
}

export interface MailJob {
  outboxId: string;
}
