import { receivedEvent } from './custody-events';
import { IntegrationEvents } from '../integrations/integration-events.service';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { coversOffice, requireInTenancy } from '../common/auth/tenancy';
import { AuditService } from '../audit/audit.service';
import { formatJst } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { CustodyRule } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { ChainCheck, GENESIS_HASH, eventHash, verifyChain } from './custody-chain';
import { CustodyRepository } from './custody.repository';
import { HOLDER_SHORT, assertEventFits, assertOccurredAt, normalizeCode } from './custody.rules';
import {
  CUSTODY_EVENT_LABELS,
  CustodyEvent,
  CustodyEventType,
  Exemplar,
  ExemplarLedger,
  ExemplarSheet,
  SubmittedOriginal,
} from './custody.types';
import { ExemplarsRepository } from './exemplars.repository';
import { Transactions } from '../common/database/transactions';

/** Which events each side may record. */
const OFFICE_EVENTS: CustodyEventType[] = ['printed', 'signed', 'mailed', 'handed_to_family', 'destroyed'];
const SECRETARIAT_EVENTS: CustodyEventType[] = ['received', 'returned'];

export interface IssuedDocument {
  documentId: string;
  versionId: string;
  number: string;
  networkId: string;
  officeId: string;
  formId: string;
  rule: CustodyRule;
  /** The 撤回受付票 of a consent gets exemplars of its own, coded <number>-R1, -R2…; default: the form. */
  sheet?: ExemplarSheet;
}

export interface Recorded {
  exemplar: Exemplar;
  event: CustodyEvent;
  /** True when the same event had already been recorded: nothing changed. */
  alreadyRecorded: boolean;
  message: string;
}

/** The custody ledger: who holds which original (原本) or copy (写し), and everything that happened to it. */
@Injectable()
export class CustodyService {
  constructor(
    private readonly audit: AuditService,
    private readonly networks: NetworksService,
    private readonly repository: CustodyRepository,
    private readonly exemplars: ExemplarsRepository,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  /** Creates the exemplars the network's custody rule calls for: originals first, then copies. */
  async createExemplars(manager: EntityManager, doc: IssuedDocument, actor: CurrentUser | null): Promise<Exemplar[]> {
    const kinds = [
      ...doc.rule.originals.map((holder) => ({ kind: 'original' as const, holder })),
      ...doc.rule.copies.map((holder) => ({ kind: 'copy' as const, holder })),
    ];
    const exemplars: Exemplar[] = [];
    const sheet = doc.sheet ?? 'form';
    const prefix = sheet === 'form' ? `${doc.number}-` : `${doc.number}-R`;
    for (const [index, { kind, holder }] of kinds.entries()) {
      const exemplar = await this.exemplars.insert(manager, {
        documentId: doc.documentId,
        versionId: doc.versionId,
        networkId: doc.networkId,
        officeId: doc.officeId,
        formId: doc.formId,
        code: `${prefix}${index + 1}`,
        kind,
        holder,
        sheet,
        state: 'issued',
        pdfSha256: null,
        printRequestedAt: null,
        printError: null,
      });
      await this.append(manager, exemplar, 'issued', actor, new Date(), null);
      exemplars.push(exemplar);
    }
    return exemplars;
  }

  /** What the printed sheet says in its corner: 原本 (with whose, when each party keeps one) or 写し. */
  markFor(exemplar: Pick<Exemplar, 'kind' | 'holder' | 'networkId' | 'formId'>): string {
    if (exemplar.kind === 'copy') return '写し';
    const { form } = this.networks.getForm(exemplar.networkId, exemplar.formId);
    return form.custody.originals.length > 1 ? `原本（${HOLDER_SHORT[exemplar.holder]}用）` : '原本';
  }

  async findByCode(code: string): Promise<Exemplar | null> {
    return this.exemplars.findByCode(normalizeCode(code));
  }

  /**
   * An exemplar of the user's office (or any, for an admin); for the 事務局, one of its network's forms
   * submitted to it, exactly where it sees the document (never a patient's consent). Otherwise 404, audited.
   */
  async visibleByCode(user: CurrentUser, code: string, origin: RequestOrigin | null): Promise<Exemplar> {
    const exemplar = await this.findByCode(code);
    return requireInTenancy(this.audit, user, exemplar, {
      target: { type: 'exemplar', id: exemplar?.id ?? code },
      covers: (x) => this.maySee(user, x),
      origin,
      missing: missingMessage(user, code),
    });
  }

  private maySee(user: CurrentUser, exemplar: Exemplar): boolean {
    if (user.role !== 'secretariat') return coversOffice(user, { id: exemplar.officeId, networkId: exemplar.networkId });
    return exemplar.networkId === user.networkId && this.networks.submittedFormIds(exemplar.networkId).includes(exemplar.formId);
  }

  forDocuments(documentIds: string[]): Promise<Exemplar[]> {
    if (documentIds.length === 0) return Promise.resolve([]);
    return this.exemplars.ofDocuments(documentIds);
  }

  history(exemplarId: string): Promise<CustodyEvent[]> {
    return this.exemplars.events([exemplarId]);
  }

  async check(exemplarId: string): Promise<ChainCheck> {
    return verifyChain(await this.history(exemplarId));
  }

  async setPdf(exemplarId: string, sha256: string, manager?: EntityManager): Promise<void> {
    await this.run(manager, (m) => this.exemplars.update(m, exemplarId, { pdfSha256: sha256, printError: null }));
  }

  /** A printed PDF, unless the exemplar has one already (sealed while it printed): the exemplar's PDF either way. */
  async setPrintedPdf(exemplarId: string, sha256: string, manager: EntityManager): Promise<string> {
    if (await this.exemplars.setFirstPdf(manager, exemplarId, sha256)) return sha256;
    return (await this.exemplars.findById(exemplarId, manager))?.pdfSha256 ?? sha256;
  }

  /** Records, in the caller's transaction, that these exemplars' PDFs are wanted (a failed one is tried again). */
  async requestPrints(exemplarIds: string[], manager?: EntityManager): Promise<void> {
    if (exemplarIds.length === 0) return;
    await this.run(manager, (m) => this.exemplars.requestPrints(m, exemplarIds));
  }

  /** Exemplars whose PDF was asked for and is neither made nor refused, oldest first. */
  printsDue(limit: number): Promise<Array<Pick<Exemplar, 'id' | 'printRequestedAt'>>> {
    // A destroyed exemplar (e.g. erased at the patient's request before it printed) is never printed: not due.
    return this.exemplars.printsDue(limit);
  }

  async printFailed(exemplarId: string, error: string): Promise<void> {
    await this.transactions.run((m) => this.exemplars.update(m, exemplarId, { printError: error }));
  }

  /**
   * Records an event on an exemplar the user's side may act on. The office records printing, signing,
   * mailing, handing over and destruction; the secretariat records receipt and return. The event must fit
   * what went before (custody.rules.ts) and be dated between the document's issue and now.
   * `trustedDate` lifts the not-before-issue bound for the demo seed only, whose history predates its documents.
   */
  async record(
    user: CurrentUser,
    code: string,
    type: CustodyEventType,
    options: { note?: string | null; occurredAt?: Date; origin: RequestOrigin | null; trustedDate?: boolean },
    outer?: EntityManager,
  ): Promise<Recorded> {
    // Who may act is settled before the transaction, so that a refusal's audit row is not rolled back
    // with it. An exemplar's network and office never change, so the check stays true under the lock.
    // Another network's sheet is answered exactly like an unknown number (no network named): numbers cannot be probed.
    const candidate = await this.findByCode(code);
    const found = await requireInTenancy(this.audit, user, candidate, {
      target: { type: 'exemplar', id: candidate?.id ?? code },
      covers: (exemplar) => this.mayAct(user, exemplar, type),
      origin: options.origin,
      missing: missingMessage(user, code),
      detail: { attempted: type },
    });
    const work = async (manager: EntityManager): Promise<Recorded> => {
      const exemplar = await this.exemplars.lock(manager, found.id);
      assertEventFits(exemplar, type);
      if (type === 'received' && exemplar.state === 'received') {
        const previous = await this.exemplars.lastEvent(manager, exemplar.id, 'received');
        return {
          exemplar,
          event: previous!,
          alreadyRecorded: true,
          message: `${exemplar.code} は ${formatJst(previous!.occurredAt)} に ${previous!.actorName} が受領済みです（変更はありません）`,
        };
      }
      const occurredAt = options.occurredAt ?? new Date();
      assertOccurredAt(occurredAt, options.trustedDate ? new Date(0) : exemplar.createdAt);
      const event = await this.append(manager, exemplar, type, user, occurredAt, options.note ?? null);
      if (type === 'received') await this.events.emit(manager, receivedEvent(exemplar, occurredAt));
      await this.audit.record(
        {
          action: `custody_${type}`,
          actor: user,
          target: { type: 'exemplar', id: exemplar.id },
          origin: options.origin,
          detail: { code: exemplar.code },
        },
        manager,
      );
      return {
        exemplar: { ...exemplar, state: type },
        event,
        alreadyRecorded: false,
        message: `${exemplar.code} を「${CUSTODY_EVENT_LABELS[type]}」として記録しました`,
      };
    };
    return outer ? work(outer) : this.transactions.run(work);
  }

  private mayAct(user: CurrentUser, exemplar: Exemplar, type: CustodyEventType): boolean {
    if (user.role === 'admin') return true;
    if (user.role === 'secretariat') return this.maySee(user, exemplar) && SECRETARIAT_EVENTS.includes(type);
    return isOfficeUser(user) && exemplar.officeId === user.officeId && OFFICE_EVENTS.includes(type);
  }

  /** An event the service itself records (electronic signature, e-mailed copy): no user, no permission check. */
  async recordBySystem(
    manager: EntityManager,
    exemplar: Pick<Exemplar, 'id'>,
    type: CustodyEventType,
    note: string | null,
  ): Promise<CustodyEvent> {
    const locked = await this.exemplars.lock(manager, exemplar.id);
    return this.append(manager, locked, type, null, new Date(), note);
  }

  findById(id: string, manager?: EntityManager): Promise<Exemplar | null> {
    return this.exemplars.findById(id, manager);
  }

  /** A document's originals (原本), e.g. to record the paper signature on each. */
  originalsOf(documentId: string, manager?: EntityManager): Promise<Exemplar[]> {
    return this.exemplars.ofDocuments([documentId], { originalsOnly: true }, manager);
  }

  /** The 事務局-bound original of each document, with when it was mailed and received (dashboards). */
  submittedOriginals(documentIds: string[]): Promise<SubmittedOriginal[]> {
    return this.repository.submittedOriginals(documentIds);
  }

  /** Each exemplar's events and chain check, read in one query (a document page shows them all). */
  async ledgers(exemplarIds: string[]): Promise<Map<string, ExemplarLedger>> {
    const events = exemplarIds.length ? await this.exemplars.events(exemplarIds) : [];
    return new Map(
      exemplarIds.map((id) => {
        const own = events.filter((e) => e.exemplarId === id);
        return [id, { events: own, chain: verifyChain(own) }];
      }),
    );
  }

  private async append(
    manager: EntityManager,
    exemplar: Pick<Exemplar, 'id'>,
    type: CustodyEventType,
    actor: CurrentUser | null,
    occurredAt: Date,
    note: string | null,
  ): Promise<CustodyEvent> {
    const last = await this.exemplars.lastEvent(manager, exemplar.id);
    const fields = {
      exemplarId: exemplar.id,
      seq: (last?.seq ?? 0) + 1,
      type,
      actorId: actor?.id ?? null,
      actorName: actor?.name ?? 'システム',
      occurredAt: new Date(Math.floor(occurredAt.getTime())),
      note,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const event = await this.exemplars.insertEvent(manager, {
      ...fields,
      prevHash,
      hash: eventHash(prevHash, fields),
      recordedAt: new Date(),
    });
    if (type !== 'archive_renewed') await this.exemplars.update(manager, exemplar.id, { state: type }); // not where the sheet is
    return event;
  }

  /**
   * Erasure: every exemplar of these documents not yet destroyed gets its `destroyed` event (by the person
   * who confirmed it, with a note that names no one) and loses its PDF. The chain only grows, so it stays
   * verifiable. Returns the hashes of the PDFs forgotten.
   */
  async destroyIn(manager: EntityManager, documentIds: string[], actor: CurrentUser, note: string): Promise<string[]> {
    if (documentIds.length === 0) return [];
    const exemplars = await this.exemplars.ofDocuments(documentIds, {}, manager);
    const pdfs: string[] = [];
    for (const exemplar of exemplars) {
      if (exemplar.pdfSha256) pdfs.push(exemplar.pdfSha256);
      if (exemplar.state !== 'destroyed') await this.append(manager, exemplar, 'destroyed', actor, new Date(), note);
      await this.exemplars.update(manager, exemplar.id, { pdfSha256: null });
    }
    return [...new Set(pdfs)];
  }

  /** The exemplars of a document, read in the caller's transaction (sealing sets their PDF and records on them). */
  exemplarsOf(documentId: string, manager?: EntityManager): Promise<Exemplar[]> {
    return this.exemplars.ofDocuments([documentId], {}, manager);
  }

  /**
   * Every exemplar that held the old sealed file now holds the new one (validation data and a new document
   * timestamp appended), and its ledger says so; its state (where the sheet is) stays.
   */
  async replaceSealedPdf(manager: EntityManager, from: string, to: string, note: string): Promise<Exemplar[]> {
    const exemplars = await this.exemplars.holdingPdf(manager, from);
    for (const exemplar of exemplars) {
      await this.exemplars.update(manager, exemplar.id, { pdfSha256: to });
      await this.recordBySystem(manager, exemplar, 'archive_renewed', note);
    }
    return exemplars;
  }

  /** Work in the caller's transaction when there is one, else in its own. */
  private run(manager: EntityManager | undefined, work: (manager: EntityManager) => Promise<void>): Promise<void> {
    return manager ? work(manager) : this.transactions.run(work);
  }
}

/**
 * A code that does not exist and one the user may not see get the same answer. The 事務局 is told what it may
 * scan, since the sheet in its hand may be one the office keeps.
 */
function missingMessage(user: CurrentUser, code: string): string {
  return user.role === 'secretariat'
    ? `書類番号「${code}」は見つかりません。事務局へ提出する書類の原本か、番号をお確かめください`
    : `書類番号「${code}」は見つかりません`;
}
