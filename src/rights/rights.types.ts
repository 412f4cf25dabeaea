/** What other features (and the web pages) may know of consent withdrawal and patients' rights: plain shapes. */

/** The rights the rurume consent (別紙4 §3(3)) grants, as 個人情報保護法 §33–35 do: 開示, 訂正・追加・削除, 利用停止, 消去. */
export const RIGHTS_KINDS = ['disclosure', 'correction', 'suspension', 'erasure'] as const;
export type RightsKind = (typeof RIGHTS_KINDS)[number];
export const RIGHTS_KIND_LABELS: Record<RightsKind, string> = {
  disclosure: '開示',
  correction: '訂正・追加・削除',
  suspension: '利用停止',
  erasure: '消去',
};

/** How a rights request reached the office (musashimurayama 第16条7: a deletion may come through the 事務局). */
export const RIGHTS_CHANNELS = ['paper', 'phone', 'in_person', 'email', 'secretariat'] as const;
export type RightsChannel = (typeof RIGHTS_CHANNELS)[number];
export const RIGHTS_CHANNEL_LABELS: Record<RightsChannel, string> = {
  paper: '書面',
  phone: '電話',
  in_person: '来所',
  email: 'メール',
  secretariat: '事務局経由',
};

export const RIGHTS_STATUSES = ['open', 'answered', 'refused'] as const;
export type RightsStatus = (typeof RIGHTS_STATUSES)[number];
export const RIGHTS_STATUS_LABELS: Record<RightsStatus, string> = { open: '対応中', answered: '回答済み', refused: '拒否' };
export const RIGHTS_OUTCOMES = ['answered', 'refused'] as const;
export type RightsOutcome = (typeof RIGHTS_OUTCOMES)[number];

/** How a withdrawal of consent was received; `link`: the family's own request through the link in their copy e-mail. */
export const WITHDRAWAL_CHANNELS = ['paper', 'phone', 'in_person', 'link'] as const;
export type WithdrawalChannel = (typeof WITHDRAWAL_CHANNELS)[number];
export const WITHDRAWAL_CHANNEL_LABELS: Record<WithdrawalChannel, string> = {
  paper: '書面',
  phone: '電話',
  in_person: '来所',
  link: 'メールのリンク（ご本人・ご家族）',
};

/** One request by a patient or their family, and how the office answered it. Dates are YYYY-MM-DD (Japan). */
export interface RightsRequest {
  id: string;
  officeId: string;
  patientId: string;
  kind: RightsKind;
  receivedAt: string;
  receivedVia: RightsChannel;
  detail: string | null;
  dueAt: string;
  status: RightsStatus;
  answerNote: string | null;
  answeredBy: string | null;
  answeredByName: string | null;
  answeredAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
}

/** A request as lists show it: whether it is overdue, whose it is, the corrections made for it. */
export interface RightsRequestView extends RightsRequest {
  overdue: boolean;
  patientName: string;
  /** Documents made to correct the patient's data in answer to it (訂正). */
  corrections: Array<{ documentId: string; number: string }>;
}

/** A consent's withdrawal (撤回): how and when it was received, who recorded it, whether its 撤回受付票 is sealed. */
export interface ConsentWithdrawal {
  id: string;
  documentId: string;
  officeId: string;
  patientId: string | null;
  receivedVia: WithdrawalChannel;
  receivedAt: string;
  note: string | null;
  recordedBy: string | null;
  recordedByName: string;
  recordedAt: Date;
  receiptSealedAt: Date | null;
}

/** 法的保存: what must be kept (an open dispute, a request of the authorities) blocks the patient's erasure. */
export interface LegalHold {
  id: string;
  officeId: string;
  patientId: string;
  reason: string | null;
  placedBy: string | null;
  placedAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
}

/** A document the daily job found past its retention, for the office to confirm its disposal. */
export interface RetentionDue {
  documentId: string;
  officeId: string;
  dueAt: string;
  listedAt: Date;
}

/** A confirmed erasure: why, who confirmed it, which document numbers (never whose data it was). */
export interface Erasure {
  id: string;
  officeId: string;
  reason: 'request' | 'retention';
  patientId: string | null;
  rightsRequestId: string | null;
  documentNumbers: string[];
  confirmedBy: string | null;
  confirmedByName: string;
  confirmedAt: Date;
}

export type RightsJob = { kind: 'withdrawal-receipt'; withdrawalId: string } | { kind: 'retention-scan' };
