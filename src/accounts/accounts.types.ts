/** What other features may know of accounts: plain shapes, never the tables behind them. */

import { Account, Role } from '../common/auth/current-user';

export { ROLES } from '../common/auth/current-user';
export type { Account, Role } from '../common/auth/current-user';

export const ROLE_LABELS: Record<Role, string> = {
  office_manager: '事業所管理者',
  office_staff: '事業所職員',
  secretariat: '事務局',
  admin: 'システム管理者',
};

/** 事業所: a care office or clinic that belongs to one network. */
export interface Office {
  id: string;
  networkId: string;
  name: string;
  postalCode: string | null;
  address: string | null;
  phone: string | null;
  createdAt: Date;
}

export interface NewOffice {
  networkId: string;
  name: string;
  postalCode: string | null;
  address: string | null;
  phone: string | null;
}

/** An API key as its owner sees it: never the key, only its first characters. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A key just made: the only time the key itself is shown. */
export interface CreatedApiKey {
  id: string;
  name: string;
  key: string;
}

/** One of the user's own log-in sessions (the sessions page). */
export interface OwnSession {
  /** The session's id (the sha256 of its token: the token itself is never shown). */
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** When it ends unless used again (idle time-out) or at the latest (SESSION_MAX_HOURS). */
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A user's second factors, as the user and the admin see them (never a secret). */
export interface MfaStatus {
  /** MFA_REQUIRED: every account must have a second factor. */
  required: boolean;
  enabled: boolean;
  totp: boolean;
  passkeys: PasskeySummary[];
  recoveryCodesLeft: number;
}

/** A row of the admin's user list. */
export interface UserSummary extends Account {
  mfa: { enabled: boolean; totp: boolean; passkeys: number; recoveryCodesLeft: number };
  disabledAt: Date | null;
  lastLoginAt: Date | null;
}
