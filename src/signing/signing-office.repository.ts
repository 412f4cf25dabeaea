import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DownloadLinkEntity, SignerEntity, SigningRequestEntity, WithdrawalLinkEntity } from './signing.entities';
import { Signer, SigningRequest } from './signing.types';

/** How far back the overview lists closed requests, how many of them, and how many rows it reads at most. */
const RECENT_DAYS = 30;
const RECENT_LIMIT = 100;
const MAX_ROWS = 1000;

/** Signing as the office oversees it: the overview's reads, switching a signer to in person, erasure. */
@Injectable()
export class SigningOfficeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The office's open requests (expiring soonest first), then those closed in the last 30 days (latest first). */
  async overview(officeId: string): Promise<{ open: SigningRequest[]; closed: SigningRequest[] }> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT r.id FROM signing_request r
        WHERE r.office_id = $1 AND (r.status = 'open'
           OR coalesce(r.closed_at, r.completed_at, r.created_at) > now() - make_interval(days => $2))
        ORDER BY (r.status = 'open') DESC, CASE WHEN r.status = 'open' THEN r.expires_at END ASC,
                 coalesce(r.closed_at, r.completed_at, r.created_at) DESC
        LIMIT $3`,
      [officeId, RECENT_DAYS, MAX_ROWS],
    );
    if (rows.length === 0) return { open: [], closed: [] };
    const requests = new Map(
      (await this.dataSource.getRepository(SigningRequestEntity).findBy({ id: In(rows.map((r) => r.id)) })).map((r) => [r.id, r]),
    );
    const items: SigningRequest[] = rows.map((r) => requests.get(r.id)!);
    return { open: items.filter((r) => r.status === 'open'), closed: items.filter((r) => r.status !== 'open').slice(0, RECENT_LIMIT) };
  }

  /** The signers of these requests, by request, in signing order. */
  async signersOf(requestIds: string[]): Promise<Map<string, Signer[]>> {
    const bySigner = new Map<string, Signer[]>(requestIds.map((id) => [id, []]));
    if (requestIds.length === 0) return bySigner;
    const signers = await this.dataSource
      .getRepository(SignerEntity)
      .find({ where: { requestId: In(requestIds) }, order: { position: 'ASC' } });
    for (const s of signers) bySigner.get(s.requestId)?.push(s);
    return bySigner;
  }

  /** Of these documents, those whose latest signing request was declined (they are not simply 発行済). */
  async declinedAmong(documentIds: string[]): Promise<Set<string>> {
    if (documentIds.length === 0) return new Set();
    const rows: Array<{ document_id: string }> = await this.dataSource.query(
      `SELECT document_id FROM (
         SELECT DISTINCT ON (document_id) document_id, status FROM signing_request
          WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, created_at DESC) latest
        WHERE status = 'declined'`,
      [documentIds],
    );
    return new Set(rows.map((r) => r.document_id));
  }

  /**
   * An e-mail signer will sign in person: their link dies, no reminder comes, and who switched them and when
   * is kept (for the audit log and the sealed PDF's audit page). False when they are not a pending e-mail signer.
   */
  async switchToInPerson(manager: EntityManager, signerId: string, userId: string): Promise<boolean> {
    const changed = await manager.update(
      SignerEntity,
      { id: signerId, status: 'pending', method: 'email' },
      {
        method: 'in_person',
        tokenHash: null,
        remindAt: null,
        accessSessionHash: null,
        switchedToInPersonAt: new Date(),
        switchedBy: userId,
      },
    );
    return changed.affected === 1;
  }

  /**
   * Erasure: the signers (names, addresses, signatures, where they signed from), the family's download and
   * withdrawal links go; the requests stay without their sealed file. Returns the sealed files' hashes.
   */
  async eraseFor(manager: EntityManager, documentIds: string[], exemplarIds: string[]): Promise<string[]> {
    if (documentIds.length === 0) return [];
    await manager.update(
      SigningRequestEntity,
      { documentId: In(documentIds), status: 'open' },
      { status: 'cancelled', closedAt: new Date() },
    );
    const requests = await manager.find(SigningRequestEntity, { where: { documentId: In(documentIds) } });
    const requestIds = requests.map((r) => r.id);
    if (requestIds.length) {
      await manager.delete(SignerEntity, { requestId: In(requestIds) });
      await manager.update(SigningRequestEntity, { id: In(requestIds) }, { sealedSha256: null, preSealSha256: null });
    }
    if (exemplarIds.length) await manager.delete(DownloadLinkEntity, { exemplarId: In(exemplarIds) });
    await manager.delete(WithdrawalLinkEntity, { documentId: In(documentIds) });
    return requests.map((r) => r.sealedSha256).filter((sha): sha is string => sha !== null);
  }
}
