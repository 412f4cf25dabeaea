import { IntegrationEvents } from '../integrations/integration-events.service';
import { Inject, Injectable } from '@nestjs/common';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { todayInJapan } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentView, DocumentsService } from '../documents/documents.service';
import { PeopleService } from '../people/people.service';
import { ERASED_PATIENT_NAME } from '../people/people.types';
import { RightsAccessPolicy } from './rights-access.policy';
import { RightsRepository } from './rights.repository';
import { RIGHTS_KIND_LABELS, RightsRequest, RightsRequestView, RightsStatus } from './rights.types';
import { RightsRequestInput, dueDate, parseAnswer, parseRightsRequest } from './rights.validation';
import { Transactions } from '../common/database/transactions';

/**
 * Patients' rights requests (開示・訂正・利用停止・消去): recorded with how and when they arrived, due
 * RIGHTS_DUE_DAYS later (policy 第5条「速やかに対応」, 個人情報保護法 §33–35「遅滞なく」), answered or
 * refused with a reason by a named person. A correction is made as a new document version, linked to the
 * request; a suspension, once answered, stops new documents for the patient; an erasure is answered by the
 * erasure itself (PatientErasureService), or refused.
 */
@Injectable()
export class RightsRequestsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RightsRepository,
    private readonly access: RightsAccessPolicy,
    private readonly documents: DocumentsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  async record(user: CurrentUser, patientId: string, input: RightsRequestInput, origin: RequestOrigin | null): Promise<RightsRequestView> {
    const patient = await this.access.patient(user, patientId, origin);
    if (patient.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は消去されています');
    const parsed = parseRightsRequest(input);
    const saved = await this.transactions.run(async (manager) => {
      const request = await this.repository.insertRequest(manager, {
        ...parsed,
        officeId: patient.officeId,
        patientId: patient.id,
        dueAt: dueDate(parsed.receivedAt, this.config.rightsDueDays),
        createdBy: user.id,
      });
      const detail = { kind: request.kind, receivedAt: request.receivedAt, dueAt: request.dueAt };
      await this.audit.record(
        { action: 'rights_request_received', actor: user, target: { type: 'rights_request', id: request.id }, origin, detail },
        manager,
      );
      await this.events.emit(manager, {
        type: 'rights_request.created',
        officeId: request.officeId,
        data: {
          rightsRequestId: request.id,
          officeId: request.officeId,
          patientId: request.patientId,
          kind: request.kind,
          status: 'open',
          receivedAt: request.receivedAt,
          dueAt: request.dueAt,
        },
      });
      return request;
    });
    return (await this.views([saved]))[0];
  }

  /** The office's requests (open ones first by due date), each marked overdue when past its due date. */
  async list(user: CurrentUser, filter: { status?: RightsStatus } = {}): Promise<RightsRequestView[]> {
    if (!isOfficeUser(user)) return [];
    return this.views(await this.repository.requestsOfOffice(user.officeId, filter.status));
  }

  async forPatient(patientId: string): Promise<RightsRequestView[]> {
    return this.views(await this.repository.requestsOfPatient(patientId));
  }

  async get(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<RightsRequestView> {
    return (await this.views([await this.access.request(user, id, origin)]))[0];
  }

  /** 回答 or 拒否 (with its reason). A suspension answered stops new documents for the patient. */
  async answer(user: CurrentUser, id: string, input: { outcome?: unknown; note?: unknown }, origin: RequestOrigin | null) {
    const request = await this.access.request(user, id, origin);
    const { outcome, note } = parseAnswer(input);
    if (request.status !== 'open') throw alreadyAnswered(request);
    if (request.kind === 'erasure' && outcome === 'answered')
      throw new DomainError(
        'INVALID_STATE',
        '消去の請求には、事業所管理者が患者の情報の消去を確定することで回答します（患者のページの「消去の確定」）。応じない場合は理由を添えて拒否してください',
      );
    await this.transactions.run(async (manager) => {
      const answered = await this.repository.answer(manager, request.id, {
        status: outcome,
        answerNote: note,
        answeredBy: user.id,
        answeredByName: user.name,
      });
      if (!answered) throw alreadyAnswered(request);
      if (request.kind === 'suspension' && outcome === 'answered') await this.people.suspendIn(manager, request.patientId);
      const detail = { kind: request.kind, outcome };
      await this.audit.record(
        { action: 'rights_request_answered', actor: user, target: { type: 'rights_request', id }, origin, detail },
        manager,
      );
    });
    return this.get(user, id, origin);
  }

  /**
   * 訂正: the patient's document gets its correction (a draft gets a new version; an issued or signed one a
   * correcting document), linked to the request in the same transaction.
   */
  async correct(
    user: CurrentUser,
    id: string,
    input: { documentId?: unknown; data?: unknown },
    origin: RequestOrigin | null,
  ): Promise<DocumentView> {
    const request = await this.access.request(user, id, origin);
    if (request.kind !== 'correction')
      throw new DomainError('INVALID_STATE', `${RIGHTS_KIND_LABELS[request.kind]}の請求では訂正を作成しません`);
    if (request.status !== 'open') throw alreadyAnswered(request);
    const documentId = typeof input.documentId === 'string' ? input.documentId : '';
    const document = await this.documents.writable(user, documentId, origin);
    if (document.subjectType !== 'patient' || document.subjectId !== request.patientId)
      throw new DomainError('INVALID_REQUEST', 'この患者の書類を選んでください', {
        errors: [{ path: 'documentId', label: '書類', message: 'この患者の書類を選んでください' }],
      });
    const data = input.data && typeof input.data === 'object' && !Array.isArray(input.data) ? (input.data as Record<string, unknown>) : {};
    return this.documents.revise(user, document.id, data, origin, (manager, correctionId) =>
      this.repository.addCorrection(manager, request.id, correctionId),
    );
  }

  private async views(requests: RightsRequest[]): Promise<RightsRequestView[]> {
    const today = todayInJapan();
    const patients = new Map((await this.people.patientsByIds(requests.map((r) => r.patientId))).map((p) => [p.id, p]));
    const corrections = await this.repository.correctionsOf(requests.map((r) => r.id));
    const numbers = new Map<string, string>();
    for (const c of corrections)
      if (!numbers.has(c.documentId)) numbers.set(c.documentId, (await this.documents.byId(c.documentId)).number);
    return requests.map((r) => ({
      ...r,
      overdue: r.status === 'open' && r.dueAt < today,
      patientName: patients.get(r.patientId)?.name ?? ERASED_PATIENT_NAME,
      corrections: corrections
        .filter((c) => c.requestId === r.id)
        .map((c) => ({ documentId: c.documentId, number: numbers.get(c.documentId)! })),
    }));
  }
}

function alreadyAnswered(request: RightsRequest): DomainError {
  return new DomainError('INVALID_STATE', `この${RIGHTS_KIND_LABELS[request.kind]}の請求には既に回答しています`);
}
