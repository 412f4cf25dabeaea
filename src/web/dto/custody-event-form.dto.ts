import { IsIn } from 'class-validator';
import { Label } from '../../common/validation/label';

/** What the office records from a document's page (the 事務局's receipt has its own page). */
export const OFFICE_RECORDED_EVENTS = ['mailed', 'handed_to_family', 'printed', 'destroyed'] as const;

export class CustodyEventFormDto {
  @Label('記録の種類')
  @IsIn(OFFICE_RECORDED_EVENTS)
  type!: (typeof OFFICE_RECORDED_EVENTS)[number];
}
