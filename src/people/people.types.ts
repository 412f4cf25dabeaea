/** What other features may know of people: plain shapes, never the tables behind them. */

/** 従事者: someone on an office's roster. */
export interface Staff {
  id: string;
  officeId: string;
  name: string;
  nameKana: string | null;
  jobTitle: string | null;
  email: string | null;
  isManager: boolean;
  active: boolean;
  userId: string | null;
  createdAt: Date;
  leftAt: Date | null;
}

export interface NewStaff {
  name: string;
  nameKana: string | null;
  jobTitle: string | null;
  email: string | null;
  isManager: boolean;
}

export interface StaffChanges {
  name?: string;
  nameKana?: string | null;
  jobTitle?: string | null;
}
