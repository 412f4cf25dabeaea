/** What other features may know of accounts: plain shapes, never the tables behind them. */

export const ROLES = ['office_manager', 'office_staff', 'secretariat', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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

/** Someone who logs in, as other features may see them (no password hash, no lock state). */
export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  officeId: string | null;
  networkId: string | null;
}
