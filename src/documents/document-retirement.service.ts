import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { todayInJapan } from '../common/japan-date';
import { DocumentsRepository } from './documents.repository';
import { DOCUMENT_STATUS_LABELS, Document } from './documents.types';

/**
 * The end of a document's use, each step inside the caller's transaction (which also cancels its signing
 * and holds back its mail): an unsigned document withdrawn (取り下げ), a signed consent revoked (撤回), any
 * document erased (消去). Each locks the document's row, so signing and sealing, which check the state under
 * the same lock, can never act on a document that has left use.
 */
@Injectable()
export class DocumentRetirementService {
  constructor(private readonly documents: DocumentsRepository) {}

  /** The document, locked for the rest of the caller's transaction (null if it does not exist). */
  lock(manager: EntityManager, id: string): Promise<Document | null> {
    return this.documents.lock(manager, id);
  }

  /** 取り下げ: a draft or issued document leaves use before anyone signed it. */
  async withdrawIn(manager: EntityManager, id: string): Promise<Document> {
    const doc = await this.locked(manager, id);
    if (doc.status !== 'draft' && doc.status !== 'issued')
      throw new DomainError('INVALID_STATE', `${doc.number} は「${DOCUMENT_STATUS_LABELS[doc.status]}」のため取り下げできません`);
    const endedOn = todayInJapan();
    await this.documents.transition(manager, id, doc.status, { status: 'withdrawn', endedOn });
    return { ...doc, status: 'withdrawn', endedOn };
  }

  /** 撤回: a signed consent is revoked from the day the withdrawal was received. */
  async revokeIn(manager: EntityManager, id: string, receivedOn: string): Promise<Document> {
    const doc = await this.locked(manager, id);
    const refusal = revocationRefusal(doc);
    if (refusal) throw refusal;
    await this.documents.transition(manager, id, 'signed', { status: 'revoked', endedOn: receivedOn });
    return { ...doc, status: 'revoked', endedOn: receivedOn };
  }

  /** The unsigned corrections of a document leave use with it; returns those withdrawn. */
  async withdrawCorrectionsIn(manager: EntityManager, id: string): Promise<Document[]> {
    const withdrawn: Document[] = [];
    for (const correction of await this.documents.correctionsOf(manager, id)) {
      if (correction.status !== 'draft' && correction.status !== 'issued') continue;
      withdrawn.push(await this.withdrawIn(manager, correction.id));
      withdrawn.push(...(await this.withdrawCorrectionsIn(manager, correction.id)));
    }
    return withdrawn;
  }

  /**
   * 消去: every version's data emptied and its printed PDF forgotten; the row stays (number, form, office,
   * dates) as what the custody ledger's events point to. Returns the hashes of the PDFs it forgot.
   */
  async eraseIn(manager: EntityManager, ids: string[]): Promise<string[]> {
    const erasedAt = new Date();
    for (const id of ids) {
      const doc = await this.locked(manager, id);
      if (doc.status === 'erased') continue;
      await this.documents.transition(manager, id, doc.status, { status: 'erased', erasedAt, endedOn: doc.endedOn ?? todayInJapan() });
    }
    return this.documents.eraseVersions(manager, ids);
  }

  private async locked(manager: EntityManager, id: string): Promise<Document> {
    const doc = await this.documents.lock(manager, id);
    if (!doc) throw new DomainError('NOT_FOUND', '書類が見つかりません');
    return doc;
  }
}

/** Why a document cannot be revoked (null: it can): a withdrawal of consent is for a signed consent only. */
export function revocationRefusal(doc: Pick<Document, 'number' | 'status'>): DomainError | null {
  if (doc.status === 'signed') return null;
  if (doc.status === 'draft' || doc.status === 'issued')
    return new DomainError(
      'INVALID_STATE',
      `${doc.number} はまだ署名されていないため、同意の撤回は記録できません（署名前の書類は「取り下げ」にします）`,
    );
  return new DomainError(
    'INVALID_STATE',
    `${doc.number} は「${DOCUMENT_STATUS_LABELS[doc.status]}」の書類です。同意の撤回は記録できません`,
  );
}
