/** What other features may know of mail: plain shapes, never the outbox table. */

export type MailKind =
  | 'signing-request'
  | 'reminder'
  | 'expired'
  | 'signing-declined'
  | 'signing-completed'
  | 'signing-cancelled'
  | 'signing-locked'
  | 'signed-copy'
  | 'application-received'
  | 'application-new'
  | 'application-rejected'
  | 'invitation'
  | 'registration-question'
  | 'follow-up'
  | 'withdrawal-receipt'
  | 'consent-withdrawn'
  | 'retention-due'
  | 'account-security'
  | 'webhook-disabled';

export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  body: string;
  /** The document it is about: its unsent mail is held back when it leaves use, and all of it forgotten when it is erased. */
  documentId?: string | null;
}

/** A message in the outbox, written in the caller's transaction: hand it to `MailService.dispatch` after the commit. */
export interface QueuedMail {
  id: string;
}

export interface MailJob {
  outboxId: string;
}
