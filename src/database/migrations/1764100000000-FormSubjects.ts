import { MigrationInterface, QueryRunner } from 'typeorm';

/** A catalogue may declare a form about nobody in particular (subject: none). */
export class FormSubjects1764100000000 implements MigrationInterface {
  name = 'FormSubjects1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document DROP CONSTRAINT document_subject_type_check`);
    await q.query(`ALTER TABLE document ADD CONSTRAINT document_subject_type_check
      CHECK (subject_type IN ('office', 'staff', 'patient', 'none'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document DROP CONSTRAINT document_subject_type_check`);
    await q.query(`ALTER TABLE document ADD CONSTRAINT document_subject_type_check
      CHECK (subject_type IN ('office', 'staff', 'patient'))`);
  }
}
