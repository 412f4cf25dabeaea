import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { DocumentRetirementService } from '../documents/document-retirement.service';
import { DocumentView, DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { PeopleService } from '../people/people.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { SigningService } from '../signing/signing.service';
import { RetentionService } from './retention.service';
import { RightsAccessPolicy } from './rights-access.policy';
import { RightsRepository } from './rights.repository';
import { Erasure, LegalHold, RIGHTS_KIND_LABELS } from './rights.types';
import { parseHoldReason } from './rights.validation';
import { Transactions } from '../common/database/transactions';

/** What the `destroyed` event says (the reason, never whose data it was); its actor is who confirmed it. */
const DESTROYED_NOTE = { request: '消去（本人・家族の請求による）', retention: '消去（保存期間の満了による）' } as const;

/**
 * 消去, confirmed by an office manager: at the patient's request (the whole patient: every document, the
 * family, the patient's details) or at the end of retention (the documents the daily job listed). Personal
 * data and PDFs go; each exemplar gets a `destroyed` event whose note names no one, so the ledger's hash
 * chain only grows and stays verifiable. A legal hold (法的保存) or a request still unanswered blocks it.
 */
@Injectable()
export class PatientErasureService {
  constructor(
    private readonly repository: RightsRepository,
    private readonly access: RightsAccessPolicy,
    private readonly documents: DocumentsService,
    private readonly retirement: DocumentRetirementService,
    private readonly custody: CustodyService,
    private readonly signing: SigningService,
    private readonly mail: MailService,
    private readonly people: PeopleService,
    private readonly pdfs: PdfStoreService,
    private readonly retention: RetentionService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** The patient's erasure, answering their open erasure request; `confirmName` (the web form) must be their name. */
  async erasePatient(
    user: CurrentUser,
    patientId: string,
    input: { rightsRequestId?: unknown; confirmName?: unknown },
    origin: RequestOrigin | null,
  ): Promise<Erasure> {
    const patient = await this.access.patient(user, patientId, origin);
    this.access.requireManager(user, '消去');
    if (patient.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は既に消去されています');
    const requestId = typeof input.rightsRequestId === 'string' ? input.rightsRequestId : '';
    const request = requestId ? await this.access.request(user, requestId, origin) : null;
    if (!request || request.patientId !== patient.id || request.kind !== 'erasure' || request.status !== 'open')
      throw invalid('rightsRequestId', '消去の請求', 'この患者の、対応中の消去の請求を選んでください（請求を記録してから消去します）');
    if (input.confirmName !== undefined && (typeof input.confirmName !== 'string' || input.confirmName.trim() !== patient.name))
      throw invalid('confirmName', '確認のための氏名', `確認のため、患者の氏名「${patient.name}」をそのまま入力してください`);
    const erasure = await this.transactions.run(async (manager) => {
      const locked = await this.people.lockPatient(manager, patient.id);
      if (!locked || locked.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は既に消去されています');
      const docs = await this.documents.forPatient(patient.officeId, patient.id, manager);
      await this.assertNothingKept(manager, patient.id, request.id);
      await this.eraseDocuments(manager, user, docs, 'request', patient.id);
      await this.people.eraseIn(manager, patient.id);
      await this.repository.answer(manager, request.id, {
        status: 'answered',
        answerNote: '患者の情報を消去しました',
        answeredBy: user.id,
        answeredByName: user.name,
      });
      const saved = await this.repository.insertErasure(manager, {
        officeId: patient.officeId,
        reason: 'request',
        patientId: patient.id,
        rightsRequestId: request.id,
        documentNumbers: docs.map((d) => d.number),
        confirmedBy: user.id,
        confirmedByName: user.name,
      });
      const detail = { reason: 'request', documents: docs.map((d) => d.number), request: request.id };
      await this.audit.record(
        { action: 'patient_erased', actor: user, target: { type: 'patient', id: patient.id }, origin, detail },
        manager,
      );
      return saved;
    });
    return erasure;
  }

  /** Disposal at the end of retention: documents the daily job listed for this office, still past it now. */
  async eraseRetained(user: CurrentUser, documentIds: string[], origin: RequestOrigin | null): Promise<Erasure> {
    if (!isOfficeUser(user)) throw new DomainError('NOT_FOUND', '書類が見つかりません');
    this.access.requireManager(user, '保存期間満了による廃棄');
    const ids = [...new Set(documentIds)];
    if (ids.length === 0) throw invalid('documentIds', '廃棄する書類', '廃棄する書類を1件以上選んでください');
    const listed = new Set((await this.retention.listed(user.officeId)).map((r) => r.documentId));
    const pastNow = new Set((await this.retention.pastRetention(user.officeId)).map((r) => r.documentId));
    const notDue = ids.filter((id) => !listed.has(id) || !pastNow.has(id));
    if (notDue.length)
      throw invalid('documentIds', '廃棄する書類', `保存期間を過ぎた書類の一覧にない書類が${notDue.length}件含まれています`);
    const docs = await Promise.all(ids.map((id) => this.documents.byId(id)));
    const patientIds = [...new Set(docs.filter((d) => d.subjectType === 'patient' && d.subjectId).map((d) => d.subjectId!))];
    return this.transactions.run(async (manager) => {
      for (const patientId of patientIds) await this.assertNothingKept(manager, patientId, null);
      await this.eraseDocuments(manager, user, docs, 'retention', null);
      const saved = await this.repository.insertErasure(manager, {
        officeId: user.officeId,
        reason: 'retention',
        patientId: null,
        rightsRequestId: null,
        documentNumbers: docs.map((d) => d.number),
        confirmedBy: user.id,
        confirmedByName: user.name,
      });
      const detail = { reason: 'retention', documents: docs.map((d) => d.number) };
      await this.audit.record(
        { action: 'documents_erased', actor: user, target: { type: 'erasure', id: saved.id }, origin, detail },
        manager,
      );
      return saved;
    });
  }

  async placeHold(user: CurrentUser, patientId: string, input: { reason?: unknown }, origin: RequestOrigin | null): Promise<LegalHold> {
    const patient = await this.access.patient(user, patientId, origin);
    this.access.requireManager(user, '法的保存の設定');
    const reason = parseHoldReason(input.reason);
    if (patient.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は既に消去されています');
    return this.transactions.run(async (manager) => {
      if (await this.repository.activeHold(patient.id, manager))
        throw new DomainError('INVALID_STATE', 'この患者には既に法的保存が設定されています');
      const hold = await this.repository.placeHold(manager, {
        officeId: patient.officeId,
        patientId: patient.id,
        reason,
        placedBy: user.id,
      });
      await this.audit.record({ action: 'legal_hold_placed', actor: user, target: { type: 'patient', id: patient.id }, origin }, manager);
      return hold;
    });
  }

  async releaseHold(user: CurrentUser, patientId: string, origin: RequestOrigin | null): Promise<void> {
    const patient = await this.access.patient(user, patientId, origin);
    this.access.requireManager(user, '法的保存の解除');
    await this.transactions.run(async (manager) => {
      if (!(await this.repository.releaseHold(manager, patient.id, user.id)))
        throw new DomainError('INVALID_STATE', 'この患者には法的保存が設定されていません');
      await this.audit.record({ action: 'legal_hold_released', actor: user, target: { type: 'patient', id: patient.id }, origin }, manager);
    });
  }

  activeHold(patientId: string): Promise<LegalHold | null> {
    return this.repository.activeHold(patientId);
  }

  activeHolds(patientIds: string[]): Promise<LegalHold[]> {
    return this.repository.activeHolds(patientIds);
  }

  erasuresOf(officeId: string, patientId?: string): Promise<Erasure[]> {
    return this.repository.erasuresOf(officeId, patientId);
  }

  /** What must be kept blocks erasure: a legal hold, or a request of the patient's still unanswered (other than `except`). */
  private async assertNothingKept(manager: EntityManager, patientId: string, except: string | null): Promise<void> {
    const hold = await this.repository.activeHold(patientId, manager);
    if (hold)
      throw new DomainError(
        'ERASURE_BLOCKED',
        `法的保存が設定されているため消去できません（理由: ${hold.reason ?? '記載なし'}）。保存の必要がなくなったら、事業所管理者が解除してから消去してください`,
      );
    const open = (await this.repository.requestsOfPatient(patientId, manager)).filter((r) => r.status === 'open' && r.id !== except);
    if (open.length)
      throw new DomainError(
        'ERASURE_BLOCKED',
        `未回答の請求（${[...new Set(open.map((r) => RIGHTS_KIND_LABELS[r.kind]))].join('・')}）があるため消去できません。先に回答してください`,
      );
  }

  /** Every trace of the documents' personal data, in the caller's transaction; the ledger only grows. */
  private async eraseDocuments(
    manager: EntityManager,
    user: CurrentUser,
    docs: DocumentView[],
    reason: 'request' | 'retention',
    patientId: string | null,
  ): Promise<void> {
    const ids = docs.map((d) => d.id);
    const exemplarIds = docs.flatMap((d) => d.exemplars.map((e) => e.id));
    const pdfs = [
      ...(await this.retirement.eraseIn(manager, ids)),
      ...(await this.custody.destroyIn(manager, ids, user, DESTROYED_NOTE[reason])),
      ...(await this.signing.eraseIn(manager, ids, exemplarIds)),
    ];
    await this.mail.forgetAbout(manager, ids);
    await this.repository.forgetRetentionDue(manager, ids);
    await this.repository.closeReceipts(manager, ids);
    await this.repository.eraseFreeText(manager, ids, patientId);
    await this.pdfs.deleteUnused(manager, pdfs);
  }
}

function invalid(path: string, label: string, message: string): DomainError {
  return new DomainError('INVALID_REQUEST', message, { errors: [{ path, label, message }] });
}
