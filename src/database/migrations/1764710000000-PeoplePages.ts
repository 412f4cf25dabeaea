import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The people pages: a patient's phone, a family member's address (the consent forms ask for it), a staff
 * member's gender (the staff-change notices list it) and the day they joined; the family's order as the
 * office typed it (家族1, 家族2 on a consent), which rows saved in one transaction cannot take from created_at.
 */
export class PeoplePages1764710000000 implements MigrationInterface {
  name = 'PeoplePages1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patient ADD COLUMN phone text`);
    await q.query(`ALTER TABLE family_contact ADD COLUMN address text, ADD COLUMN position integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE staff_member ADD COLUMN gender text CHECK (gender IN ('男', '女')), ADD COLUMN joined_on date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_member DROP COLUMN joined_on, DROP COLUMN gender`);
    await q.query(`ALTER TABLE family_contact DROP COLUMN position, DROP COLUMN address`);
    await q.query(`ALTER TABLE patient DROP COLUMN phone`);
  }
}
