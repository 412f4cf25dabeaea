/** What other features may know of training records: plain shapes, never the table behind them. */

/** A staff member's attendance at the network's training (研修会), or its video, on a date. */
export interface TrainingRecord {
  id: string;
  officeId: string;
  staffId: string;
  kind: string;
  /** YYYY-MM-DD. */
  attendedOn: string;
  recordedByName: string;
  createdAt: Date;
}

/** Someone on a roster of the network who has no training recorded yet. */
export interface UntrainedStaff {
  officeId: string;
  officeName: string;
  staffId: string;
  name: string;
  jobTitle: string | null;
  since: Date;
}
