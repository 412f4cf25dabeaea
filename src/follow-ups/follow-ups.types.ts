/** What other features may know of follow-ups: plain shapes, never the table behind them. */

/** What an office still owes the 事務局, line by line as the follow-up mail lists it. */
export interface OwedItems {
  /** Required forms not yet with the 事務局 (not made, not signed, not sent). */
  missing: string[];
  /** Originals mailed longer ago than OVERDUE_DAYS and still not received. */
  overdue: string[];
  /** The 事務局's questions about registration lines the office has not answered. */
  questions: string[];
}

/** One follow-up mail the 事務局 sent an office. */
export interface FollowUp {
  id: string;
  officeId: string;
  sentByName: string;
  sentAt: Date;
  recipients: string[];
  items: OwedItems;
}
