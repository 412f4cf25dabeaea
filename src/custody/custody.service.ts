import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../accounts/current-user';
import { coversOffice, requireInTenancy } from '../accounts/tenancy';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { formatJst } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { CustodyRule, Holder } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { ChainCheck, GENESIS_HASH, eventHash, verifyChain } from './custody-chain';
import { CustodyEventEntity } from './custody-event.entity';
import { CustodyRepository } from './custody.repository';
import { CUSTODY_EVENT_LABELS, CustodyEvent, CustodyEventType, Exemplar, ExemplarLedger, SubmittedOriginal } from './custody.types';
import { ExemplarEntity } from './exemplar.entity';

const HOLDER_SHORT: Record<Holder, string> = { secretariat: '事務局', office: '事業所', patient: '患者', staff: '本人' };

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly networks: NetworksService,
    private readonly repository: CustodyRepository,
  ) {}

  /** Creates the exemplars the network's custody rule calls for: originals first, then copies. */
  async createExemplars(manager: EntityManager, doc: IssuedDocument, actor: CurrentUser | null): Promise<Exemplar[]> {
    const kinds = [
      ...doc.rule.originals.map((holder) => ({ kind: 'original' as const, holder })),
      ...doc.rule.copies.map((holder) => ({ kind: 'copy' as const, holder })),
    ];
    const exemplars: ExemplarEntity[] = [];
    for (const [index, { kind, holder }] of kinds.entries()) {
      const exemplar = await manager.save(
        manager.create(ExemplarEntity, {
          documentId: doc.documentId,
          versionId: doc.versionId,
          networkId: doc.networkId,
          officeId: doc.officeId,
          formId: doc.formId,
          code: `${doc.number}-${index + 1}`,
          kind,
          holder,
          state: 'issued',
          pdfSha256: null,
        }),
      );
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
    return this.dataSource.getRepository(ExemplarEntity).findOneBy({ code: normalizeCode(code) });
  }

  /** An exemplar of the user's office or network (or any, for an admin); otherwise 404. */
  async visibleByCode(user: CurrentUser, code: string, origin: RequestOrigin | null): Promise<Exemplar> {
    const exemplar = await this.findByCode(code);
    return requireInTenancy(this.audit, user, exemplar, {
      target: { type: 'exemplar', id: exemplar?.id ?? code },
      covers: (x) => coversOffice(user, { id: x.officeId, networkId: x.networkId }),
      origin,
      missing: `書類番号「${code}」は見つかりません`,
    });
  }

  forDocuments(documentIds: string[]): Promise<Exemplar[]> {
    if (documentIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(ExemplarEntity).find({ where: { documentId: In(documentIds) }, order: { code: 'ASC' } });
  }

  history(exemplarId: string): Promise<CustodyEvent[]> {
    return this.dataSource.getRepository(CustodyEventEntity).find({ where: { exemplarId }, order: { seq: 'ASC' } });
  }

  async check(exemplarId: string): Promise<ChainCheck> {
    return verifyChain(await this.history(exemplarId));
  }

  async setPdf(exemplarId: string, sha256: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(ExemplarEntity, exemplarId, { pdfSha256: sha256 });
  }

  /**
   * Records an event on an exemplar the user's side may act on. The office records printing, signing,
   * mailing, handing over and destruction; the secretariat records receipt and return.
   */
  async record(
    user: CurrentUser,
    code: string,
    type: CustodyEventType,
    options: { note?: string | null; occurredAt?: Date; origin: RequestOrigin | null },
    outer?: EntityManager,
  ): Promise<Recorded> {
    // Who may act is settled before the transaction, so that a refusal's audit row is not rolled back
    // with it. An exemplar's network and office never change, so the check stays true under the lock.
    const candidate = await this.findByCode(code);
    if (candidate && user.role === 'secretariat' && type === 'received' && candidate.networkId !== user.networkId) {
      throw new DomainError(
        'WRONG_NETWORK',
        `この書類（${candidate.code}）は別のネットワーク（${this.networks.getNetwork(candidate.networkId).name}）のものです。受領できません`,
      );
    }
    const found = await requireInTenancy(this.audit, user, candidate, {
      target: { type: 'exemplar', id: candidate?.id ?? code },
      covers: (exemplar) => this.mayAct(user, exemplar, type),
      origin: options.origin,
      missing: `書類番号「${code}」は見つかりません`,
      detail: { attempted: type },
    });
    const work = async (manager: EntityManager): Promise<Recorded> => {
      const exemplar = await manager
        .getRepository(ExemplarEntity)
        .createQueryBuilder('x')
        .setLock('pessimistic_write')
        .where('x.id = :id', { id: found.id })
        .getOneOrFail();
      this.assertAllowed(exemplar, type);
      if (type === 'received' && exemplar.state === 'received') {
        const previous = await manager
          .getRepository(CustodyEventEntity)
          .findOne({ where: { exemplarId: exemplar.id, type: 'received' }, order: { seq: 'DESC' } });
        return {
          exemplar,
          event: previous!,
          alreadyRecorded: true,
          message: `${exemplar.code} は ${formatJst(previous!.occurredAt)} に ${previous!.actorName} が受領済みです（変更はありません）`,
        };
      }
      const event = await this.append(manager, exemplar, type, user, options.occurredAt ?? new Date(), options.note ?? null);
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
    return outer ? work(outer) : this.dataSource.transaction(work);
  }

  private mayAct(user: CurrentUser, exemplar: Exemplar, type: CustodyEventType): boolean {
    if (user.role === 'admin') return true;
    if (user.role === 'secretariat') return exemplar.networkId === user.networkId && SECRETARIAT_EVENTS.includes(type);
    return isOfficeUser(user) && exemplar.officeId === user.officeId && OFFICE_EVENTS.includes(type);
  }

  private assertAllowed(exemplar: Exemplar, type: CustodyEventType): void {
    const travelling = exemplar.kind === 'original' && exemplar.holder === 'secretariat';
    if (exemplar.state === 'destroyed') throw new DomainError('INVALID_STATE', `${exemplar.code} は廃棄済みです`);
    if ((type === 'received' || type === 'mailed' || type === 'returned') && !travelling) {
      if (exemplar.kind === 'copy') {
        throw new DomainError('NOT_AN_ORIGINAL', `${exemplar.code} は写しです。事務局へは原本を提出してください`);
      }
      throw new DomainError(
        'NOT_FOR_SECRETARIAT',
        `${exemplar.code} の原本は${HOLDER_SHORT[exemplar.holder]}が保管するもので、事務局へ提出する書類ではありません`,
      );
    }
    if (type === 'mailed' && exemplar.state === 'received')
      throw new DomainError('INVALID_STATE', `${exemplar.code} は既に事務局が受領しています`);
    if (type === 'returned' && exemplar.state !== 'received')
      throw new DomainError('INVALID_STATE', `${exemplar.code} は受領されていないため返却できません`);
    if (type === 'signed' && exemplar.kind !== 'original')
      throw new DomainError('NOT_AN_ORIGINAL', `${exemplar.code} は写しです。署名は原本に行います`);
    if (type === 'handed_to_family' && exemplar.holder !== 'patient') {
      throw new DomainError('INVALID_STATE', `${exemplar.code} は患者・家族に渡す書類ではありません`);
    }
  }

  /** An event the service itself records (electronic signature, e-mailed copy): no user, no permission check. */
  async recordBySystem(
    manager: EntityManager,
    exemplar: Pick<Exemplar, 'id'>,
    type: CustodyEventType,
    note: string | null,
  ): Promise<CustodyEvent> {
    const locked = await manager
      .getRepository(ExemplarEntity)
      .createQueryBuilder('x')
      .setLock('pessimistic_write')
      .where('x.id = :id', { id: exemplar.id })
      .getOneOrFail();
    return this.append(manager, locked, type, null, new Date(), note);
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Exemplar | null> {
    return manager.findOneBy(ExemplarEntity, { id });
  }

  /** A document's originals (原本), e.g. to record the paper signature on each. */
  originalsOf(documentId: string, manager: EntityManager = this.dataSource.manager): Promise<Exemplar[]> {
    return manager.find(ExemplarEntity, { where: { documentId, kind: 'original' }, order: { code: 'ASC' } });
  }

  /** The 事務局-bound original of each document, with when it was mailed and received (dashboards). */
  submittedOriginals(documentIds: string[]): Promise<SubmittedOriginal[]> {
    return this.repository.submittedOriginals(documentIds);
  }

  /** Each exemplar's events and chain check, read in one query (a document page shows them all). */
  async ledgers(exemplarIds: string[]): Promise<Map<string, ExemplarLedger>> {
    const events = exemplarIds.length
      ? await this.dataSource.getRepository(CustodyEventEntity).find({ where: { exemplarId: In(exemplarIds) }, order: { seq: 'ASC' } })
      : [];
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
  ): Promise<CustodyEventEntity> {
    const events = manager.getRepository(CustodyEventEntity);
    const last = await events.findOne({ where: { exemplarId: exemplar.id }, order: { seq: 'DESC' } });
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
    const event = await events.save(events.create({ ...fields, prevHash, hash: eventHash(prevHash, fields), recordedAt: new Date() }));
    await manager.update(ExemplarEntity, exemplar.id, { state: type });
    return event;
  }

  /** The exemplars of a document, read in the caller's transaction (sealing sets their PDF and records on them). */
  exemplarsOf(documentId: string, manager: EntityManager = this.dataSource.manager): Promise<Exemplar[]> {
    return manager.find(ExemplarEntity, { where: { documentId } });
  }

  exemplar(id: string): Promise<Exemplar | null> {
    return this.dataSource.getRepository(ExemplarEntity).findOneBy({ id });
  }
}

/** What a scanner or a person types: the code itself, or a URL ending in it; any case, stray spaces. */
export function normalizeCode(input: string): string {
  const text = input.normalize('NFKC').trim();
  const last =
    text
      .split(/[/?#=]/)
      .filter(Boolean)
      .pop() ?? '';
  return last.replace(/\s+/g, '').toUpperCase();
}
