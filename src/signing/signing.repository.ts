import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { RequestOrigin } from '../common/request-origin';
import { SignerEntity, SigningRequestEntity } from './signing.entities';
import { Signer, SigningRequest } from './signing.types';
import { ValidSignature } from './signing.validation';

export type NewSigningRequest = Pick<SigningRequest, 'documentId' | 'officeId' | 'ordered' | 'expiresAt' | 'createdBy'>;
export type NewSigner = Pick<Signer, 'requestId' | 'role' | 'roleLabel' | 'position' | 'name' | 'email' | 'relation' | 'method'> & {
  accessCodeHash: string | null;
};
/** Signed or declined offline on a visit: the device's time, and which visit. */
type OfflineMark = { visitId: string; signedOnDeviceAt: Date };
/** A signer's new link: its hash, expiry, when to remind, and whether it is the reminder itself. */
type NewLink = { tokenHash: string; expiresAt: Date; remindAt: Date | null; reminder: boolean };

/**
 * Signing's tables (signing_request, signer, download_link): every read and write of them goes through here, but
 * for what an e-mailed link opens (open-links.repository.ts) and the family's links (family-links.repository.ts).
 */
@Injectable()
export class SigningRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findRequest(id: string, manager: EntityManager = this.dataSource.manager): Promise<SigningRequest | null> {
    return manager.findOneBy(SigningRequestEntity, { id });
  }

  requestsOf(documentId: string): Promise<SigningRequest[]> {
    return this.dataSource.getRepository(SigningRequestEntity).find({ where: { documentId }, order: { createdAt: 'DESC' } });
  }

  hasRequest(documentId: string): Promise<boolean> {
    return this.dataSource.getRepository(SigningRequestEntity).existsBy({ documentId });
  }

  openRequestOf(manager: EntityManager, documentId: string): Promise<SigningRequest | null> {
    return manager.findOneBy(SigningRequestEntity, { documentId, status: 'open' });
  }

  /** A request whose signers have all signed, still waiting for its seal. */
  unsealedRequestOf(manager: EntityManager, documentId: string): Promise<SigningRequest | null> {
    return manager.findOneBy(SigningRequestEntity, { documentId, status: 'completed', sealedSha256: IsNull() });
  }

  /** Whether this service ever sealed with the certificate of this sha256. */
  knowsSealCertificate(sha256: string): Promise<boolean> {
    return this.dataSource.getRepository(SigningRequestEntity).existsBy({ sealCertificateSha256: sha256 });
  }

  bySealedSha256(sha256: string): Promise<SigningRequest | null> {
    return this.dataSource.getRepository(SigningRequestEntity).findOneBy({ sealedSha256: sha256 });
  }

  insertRequest(manager: EntityManager, request: NewSigningRequest): Promise<SigningRequest> {
    return manager.save(manager.create(SigningRequestEntity, { ...request, status: 'open' }));
  }

  /** Locks the request row: completions are serialized on it. */
  lockRequest(manager: EntityManager, id: string): Promise<SigningRequest> {
    return manager
      .getRepository(SigningRequestEntity)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.id = :id', { id })
      .getOneOrFail();
  }

  /**
   * Closes an open request (cancelled, expired, declined); false when it was not open. A cancelled or declined
   * request's links die; an expired one's are kept, so that opening one says 期限切れ (410), not unknown.
   */
  async close(manager: EntityManager, id: string, status: 'cancelled' | 'expired' | 'declined'): Promise<boolean> {
    const changed = await manager.update(
      SigningRequestEntity,
      { id, status: 'open' },
      status === 'declined' ? { status, completedAt: new Date(), closedAt: new Date() } : { status, closedAt: new Date() },
    );
    if (status !== 'expired') await manager.update(SignerEntity, { requestId: id }, { tokenHash: null });
    else await manager.update(SignerEntity, { requestId: id }, { remindAt: null });
    return changed.affected === 1;
  }

  /**
   * The document left use: its open requests are cancelled. Their links stay known, so that a family member
   * who opens one is told why it no longer works (rather than that it does not exist).
   */
  async cancelOpenFor(manager: EntityManager, documentIds: string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await manager.update(
      SigningRequestEntity,
      { documentId: In(documentIds), status: 'open' },
      { status: 'cancelled', closedAt: new Date() },
    );
  }

  /** A completed request whose document left use before its seal: never sealed; false if it was sealed first. */
  async abandon(manager: EntityManager, id: string): Promise<boolean> {
    const changed = await manager.update(
      SigningRequestEntity,
      { id, status: 'completed', sealedSha256: IsNull() },
      { status: 'cancelled' },
    );
    return changed.affected === 1;
  }

  /** Everyone who signed a completed request of the document (the parties to a sealed consent). */
  async signersOfCompleted(documentId: string): Promise<Signer[]> {
    const requests = await this.dataSource.getRepository(SigningRequestEntity).findBy({ documentId, status: 'completed' });
    if (requests.length === 0) return [];
    return this.dataSource
      .getRepository(SignerEntity)
      .find({ where: { requestId: In(requests.map((r) => r.id)) }, order: { position: 'ASC' } });
  }

  async complete(manager: EntityManager, id: string): Promise<void> {
    await manager.update(SigningRequestEntity, id, { status: 'completed', completedAt: new Date() });
  }

  /** Records the seal, unless another attempt recorded one first (then false). */
  async markSealed(
    manager: EntityManager,
    id: string,
    seal: { sealedSha256: string; preSealSha256: string; sealedAt: Date; sealCertificateSha256: string },
  ) {
    const changed = await manager.update(SigningRequestEntity, { id, sealedSha256: IsNull() }, seal);
    return changed.affected === 1;
  }

  signersOf(requestId: string, manager: EntityManager = this.dataSource.manager): Promise<Signer[]> {
    return manager.find(SignerEntity, { where: { requestId }, order: { position: 'ASC' } });
  }

  /** The signers with their drawn signatures, for the sealed form. */
  signaturesOf(requestId: string): Promise<Array<Signer & { signatureImage: string | null }>> {
    return this.dataSource
      .getRepository(SignerEntity)
      .createQueryBuilder('s')
      .addSelect('s.signatureImage')
      .where('s.requestId = :id', { id: requestId })
      .orderBy('s.position', 'ASC')
      .getMany();
  }

  findSigner(id: string, requestId?: string, manager: EntityManager = this.dataSource.manager): Promise<Signer | null> {
    return manager.getRepository(SignerEntity).findOneBy(requestId ? { id, requestId } : { id });
  }

  lockSigner(manager: EntityManager, id: string): Promise<Signer> {
    return manager
      .getRepository(SignerEntity)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id })
      .getOneOrFail();
  }

  insertSigner(manager: EntityManager, signer: NewSigner): Promise<Signer> {
    return manager.save(manager.create(SignerEntity, { ...signer, status: 'pending', accessFailures: 0 }));
  }

  /**
   * Stores a new link's hash and when its reminder is due, if any: the signer's previous link stops working,
   * and so does any browser that had passed its 暗証番号; a link locked by wrong 暗証番号 starts afresh (the
   * office re-sends it to unlock it).
   */
  async setLink(manager: EntityManager, signerId: string, link: NewLink) {
    await manager.update(SignerEntity, signerId, {
      sentAt: new Date(),
      ...(link.reminder ? { remindedAt: new Date() } : {}),
      tokenHash: link.tokenHash,
      tokenExpiresAt: link.expiresAt,
      remindAt: link.remindAt,
      accessFailures: 0,
      accessSessionHash: null,
    });
  }

  async hasAccessCode(manager: EntityManager, signerId: string): Promise<boolean> {
    const signer = await manager
      .getRepository(SignerEntity)
      .createQueryBuilder('s')
      .addSelect('s.accessCodeHash')
      .where('s.id = :id', { id: signerId })
      .getOneOrFail();
    return signer.accessCodeHash !== null;
  }

  /** The first opening of a link; false when it was opened already. */
  async markViewed(signerId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const changed = await manager.update(SignerEntity, { id: signerId, viewedAt: IsNull() }, { viewedAt: new Date() });
    return (changed.affected ?? 0) > 0;
  }

  /**
   * Counts one 暗証番号 attempt before it is checked, in one atomic statement: the new count, or null when the
   * link is already locked. However many guesses arrive at once, no more than `max` are ever checked.
   */
  async claimAccessAttempt(signerId: string, max: number): Promise<number | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(SignerEntity)
      .set({ accessFailures: () => 'access_failures + 1' })
      .where('id = :id AND access_failures < :max', { id: signerId, max })
      .returning('access_failures')
      .execute();
    const row = (result.raw as Array<{ access_failures: number }>)[0];
    return row ? row.access_failures : null;
  }

  async grantAccess(signerId: string, sessionHash: string): Promise<void> {
    await this.dataSource.getRepository(SignerEntity).update(signerId, { accessFailures: 0, accessSessionHash: sessionHash });
  }

  async recordSignature(
    manager: EntityManager,
    signer: Signer,
    signature: ValidSignature,
    origin: RequestOrigin,
    witnessId: string | null,
    offline: OfflineMark | null = null,
  ) {
    await manager.update(SignerEntity, signer.id, {
      signedOfflineAt: offline?.signedOnDeviceAt ?? null,
      visitId: offline?.visitId ?? null,
      status: 'signed',
      signedAt: new Date(),
      signatureKind: signature.kind,
      signatureImage: signature.image,
      typedName: signature.typedName,
      relation: signature.relation ?? signer.relation,
      proxyReason: signature.proxyReason,
      ip: origin.ip,
      userAgent: origin.userAgent,
      witnessUserId: witnessId,
      tokenHash: null,
    });
  }

  /** A decline (on a visit's tablet, `offline` says when and on which visit). */
  async recordDecline(manager: EntityManager, signerId: string, reason: string | null, origin: RequestOrigin, offline: OfflineMark | null) {
    const visit = { signedOfflineAt: offline?.signedOnDeviceAt ?? null, visitId: offline?.visitId ?? null };
    const declined = {
      status: 'declined' as const,
      declineReason: reason,
      declinedAt: new Date(),
      ip: origin.ip,
      userAgent: origin.userAgent,
    };
    await manager.update(SignerEntity, { id: signerId, status: 'pending' }, { ...declined, ...visit });
  }
}
