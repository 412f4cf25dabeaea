import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to what a signing link shows (its signer, the signers before them, its request, the document
 * and the document's versions) is announced on the channel `signing_link_changed` with the document's id, when
 * it commits, whoever makes it: the API processes keep the rows of links being opened and drop a document's
 * when told (signing/open-links.repository.ts).
 */
export class SigningLinkChanges1765700000000 implements MigrationInterface {
  name = 'SigningLinkChanges1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION announce_signing_link_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed_document uuid;
      BEGIN
        IF TG_TABLE_NAME = 'signer' THEN
          SELECT r.document_id INTO changed_document FROM signing_request r
           WHERE r.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.request_id ELSE NEW.request_id END;
        ELSIF TG_TABLE_NAME = 'document' THEN
          changed_document := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
        ELSE
          changed_document := CASE WHEN TG_OP = 'DELETE' THEN OLD.document_id ELSE NEW.document_id END;
        END IF;
        IF changed_document IS NOT NULL THEN
          PERFORM pg_notify('signing_link_changed', changed_document::text);
        END IF;
        RETURN NULL;
      END $$`);
    const announce = 'FOR EACH ROW EXECUTE FUNCTION announce_signing_link_change()';
    // Inserting a signer changes the signers after it (their turn); a new request, document or first version
    // is behind no link yet, so bulk imports of new documents announce nothing.
    await q.query(`CREATE TRIGGER signer_announce_signing_link AFTER INSERT OR UPDATE OR DELETE ON signer ${announce}`);
    await q.query(`CREATE TRIGGER signing_request_announce_signing_link AFTER UPDATE OR DELETE ON signing_request ${announce}`);
    await q.query(`CREATE TRIGGER document_announce_signing_link AFTER UPDATE OR DELETE ON document ${announce}`);
    await q.query(`CREATE TRIGGER document_version_announce_signing_link AFTER UPDATE OR DELETE ON document_version ${announce}`);
    await q.query(`CREATE TRIGGER document_version_added_announce_signing_link AFTER INSERT ON document_version
      FOR EACH ROW WHEN (NEW.version > 1) EXECUTE FUNCTION announce_signing_link_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['signer', 'signing_request', 'document', 'document_version'])
      await q.query(`DROP TRIGGER ${table}_announce_signing_link ON ${table}`);
    await q.query(`DROP TRIGGER document_version_added_announce_signing_link ON document_version`);
    await q.query(`DROP FUNCTION announce_signing_link_change()`);
  }
}
