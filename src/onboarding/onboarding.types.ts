/** What other features may know of onboarding: plain shapes, never the tables behind them. */

export const APPLICATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, string> = { pending: '審査待ち', approved: '承認', rejected: '却下' };

/** How the manager signs the office pledge once the office exists: by an e-mailed link, or on paper by post. */
export const PLEDGE_METHODS = ['esign', 'paper'] as const;
export type PledgeMethod = (typeof PLEDGE_METHODS)[number];

export const PLEDGE_METHOD_LABELS: Record<PledgeMethod, string> = {
  esign: '電子署名（承認後にメールで届くリンクから署名）',
  paper: '印刷して郵送（承認後に事業所の画面から印刷し、署名・押印して郵送）',
};

/** What an office sends to apply: the office, its manager, and the network's application form's fields. */
export interface ApplicationInput {
  network: string;
  officeName: string;
  postalCode?: string | null;
  address: string;
  phone: string;
  managerName: string;
  managerEmail: string;
  pledgeMethod?: PledgeMethod | null;
  data?: Record<string, unknown>;
}

/** An application to a network, as the 事務局 reviews it. */
export interface Application {
  id: string;
  /** 受付番号, e.g. 申込-000012. */
  number: string;
  networkId: string;
  status: ApplicationStatus;
  officeName: string;
  postalCode: string | null;
  address: string;
  phone: string;
  managerName: string;
  managerEmail: string;
  /** The network's application form, filled (empty where the network has none). */
  data: Record<string, unknown>;
  pledgeMethod: PledgeMethod | null;
  rejectReason: string | null;
  officeId: string | null;
  reviewedByName: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

export const INVITATION_STATES = ['pending', 'expired', 'accepted'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** An office account and where its invitation stands. */
export interface InvitedAccount {
  userId: string;
  email: string;
  name: string;
  role: string;
  state: InvitationState | null;
  expiresAt: Date | null;
}

/** What an invitation link opens: whose account, for which office. */
export interface OpenedInvitation {
  email: string;
  name: string;
  officeName: string;
  networkName: string;
  expiresAt: Date;
}
