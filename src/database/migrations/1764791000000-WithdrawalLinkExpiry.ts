import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A withdrawal link expires with the download link sent in the same e-mail; after that the family
 * withdraws through their office (by phone, letter or in person). Links sent before get their download link's
 * expiry, else 14 days (DOWNLOAD_LINK_DAYS' default) after they were sent.
 */
export class WithdrawalLinkExpiry1764791000000 implements MigrationInterface {
  name = 'WithdrawalLinkExpiry1764791000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE withdrawal_link ADD COLUMN expires_at timestamptz`);
    await q.query(`UPDATE withdrawal_link w SET expires_at = coalesce(
      (SELECT max(d.expires_at) FROM download_link d JOIN exemplar x ON x.id = d.exemplar_id
        WHERE x.document_id = w.document_id AND d.recipient = w.recipient),
      w.created_at + interval '14 days')`);
    await q.query(`ALTER TABLE withdrawal_link ALTER COLUMN expires_at SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE withdrawal_link DROP COLUMN expires_at`);
  }
}
