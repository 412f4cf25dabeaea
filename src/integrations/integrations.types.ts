/** What other features may know of integrations: the events, plain shapes, never the tables behind them. */

/** Every event a webhook may subscribe to, with what the page says of it; `network` ones reach only a 事務局. */
export const WEBHOOK_EVENTS = {
  'document.issued': { label: '書類の発行', network: false },
  'signing.sent': { label: '署名依頼の送信', network: false },
  'signing.opened': { label: '署名ページが開かれた', network: false },
  'signing.signed': { label: '署名（署名者ごと）', network: false },
  'signing.declined': { label: '署名の辞退', network: false },
  'signing.expired': { label: '署名依頼の期限切れ', network: false },
  'document.sealed': { label: '封緘（全員の署名がそろった書類）', network: false },
  'consent.withdrawn': { label: '同意の撤回', network: false },
  'rights_request.created': { label: '権利請求の受付', network: false },
  'rights_request.overdue': { label: '権利請求の回答期限超過', network: false },
  'exemplar.received': { label: '原本・写しの受領', network: false },
  'application.submitted': { label: '利用申込の受付', network: true },
  'registration.opened': { label: '登録依頼の発生', network: true },
  'registration.done': { label: '登録依頼の完了', network: true },
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];
/** Sent by 「テスト送信」 only; no one subscribes to it. */
export const TEST_EVENT = 'webhook.test';

/** The events an owner may subscribe to: an office its own; a 事務局 its network's, and the 事務局's own. */
export function eventsFor(owner: 'office' | 'network'): WebhookEventType[] {
  return WEBHOOK_EVENT_TYPES.filter((type) => owner === 'network' || !WEBHOOK_EVENTS[type].network);
}

/**
 * What an event may carry: ids, numbers, codes, states, roles and times. Never a person's name, address,
 * e-mail or phone, nor form data: the type admits only flat values, and each caller picks its fields.
 */
export type EventData = Record<string, string | number | boolean | null | string[]>;

export interface IntegrationEvent {
  type: WebhookEventType;
  /** The office it happened at; null for a network's own events (an application, before there is an office). */
  officeId: string | null;
  /** The network; looked up from the office when not given. */
  networkId?: string;
  data: EventData;
  /** When it happened (now unless given). */
  at?: Date;
}

/** A webhook as its owner sees it (never the secret). */
export interface WebhookSummary {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  createdAt: Date;
  /** Failing since (no success between), or null. */
  failingSince: Date | null;
  disabledAt: Date | null;
}

export interface CreatedWebhook {
  id: string;
  /** whsec_…, shown in this answer only. */
  secret: string;
}

export interface WebhookAttemptView {
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextRetryAt: Date | null;
}

export interface WebhookDeliveryView {
  id: string;
  /** webhook-id header of every attempt. */
  messageId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  createdAt: Date;
  deliveredAt: Date | null;
  /** Status code of the latest attempt (null: none yet, or no answer). */
  statusCode: number | null;
  nextRetryAt: Date | null;
  attempts: WebhookAttemptView[];
}

/** Who owns webhooks: an office, or a 事務局 (its network). */
export interface WebhookOwner {
  officeId: string | null;
  networkId: string;
}
