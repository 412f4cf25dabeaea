import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser } from '../common/auth/current-user';
import { RequestOrigin } from '../common/request-origin';
import { NoticeChange, NoticeDraftOutcome, NoticeDraftsService } from '../documents/notice-drafts.service';
import { PeopleService } from '../people/people.service';
import { StaffInput, StaffMember } from '../people/people.types';
import { Transactions } from '../common/database/transactions';

/** A staff change as the office made it, and where its staff-change notice row went (null: the network has none). */
export interface StaffChangeDone {
  staff: StaffMember;
  notice: NoticeDraftOutcome | null;
}

/**
 * A staff member joins or leaves the office (the staff pages, the API): in one transaction the roster
 * changes (people, which puts the line on the 事務局's desk) and, where the network has a staff-change
 * notice, the day's draft notice gets its 新規 or 削除 row (documents).
 */
@Injectable()
export class StaffChangesService {
  constructor(
    private readonly people: PeopleService,
    private readonly notices: NoticeDraftsService,
    private readonly transactions: Transactions,
  ) {}

  join(user: CurrentUser, input: StaffInput, origin: RequestOrigin | null): Promise<StaffChangeDone> {
    return this.transactions.run(async (manager) => {
      const staff = await this.people.addStaffIn(manager, user, input, origin);
      return { staff, notice: await this.noted(manager, user, '新規', staff) };
    });
  }

  /** 退職 on the day the clerk chose (today when none): the notice's 削除 row goes on today's draft. */
  leave(user: CurrentUser, id: string, leftOn: string | null | undefined, origin: RequestOrigin | null): Promise<StaffChangeDone> {
    return this.transactions.run(async (manager) => {
      const staff = await this.people.markLeftIn(manager, user, id, origin, leftOn);
      return { staff, notice: await this.noted(manager, user, '削除', staff) };
    });
  }

  private noted(manager: EntityManager, user: CurrentUser, action: NoticeChange['action'], staff: StaffMember) {
    const { name, nameKana, gender, jobTitle, email } = staff;
    return this.notices.addChangeIn(manager, user, { action, name, nameKana, gender, jobTitle, email });
  }
}
