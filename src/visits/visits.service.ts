import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UsersService } from '../accounts/users.service';
import { AuthService } from '../accounts/auth.service';
import { AuditService } from '../audit/audit.service';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';
import { formatJst } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentHeadersService } from '../documents/document-headers.service';
import { DocumentsService } from '../documents/documents.service';
import { DocumentView } from '../documents/documents.types';
import { NetworksService } from '../networks/networks.service';
import { readingHtml } from '../networks/reading-view';
import { SigningService } from '../signing/signing.service';
import { SignatureInput, SigningRequestView } from '../signing/signing.types';
import { signatureFields } from '../signing/signing.validation';
import { VisitsRepository } from './visits.repository';
import { Visit, VisitDocument, VisitDocumentView, VisitOverviewItem, VisitRefusalCode, VisitView } from './visits.types';

/** The codes a refusal of a visit's signature carries, and the signing codes each stands for. */
const REFUSALS: Record<string, VisitRefusalCode> = {
  DOCUMENT_CHANGED: 'DOCUMENT_CHANGED',
  DOCUMENT_RETIRED: 'DOCUMENT_CHANGED',
  ALREADY_SIGNED: 'ALREADY_SIGNED',
  REQUEST_CLOSED: 'REQUEST_CLOSED',
  LINK_EXPIRED: 'REQUEST_CLOSED',
  VISIT_EXPIRED: 'VISIT_EXPIRED',
  INVALID_REQUEST: 'INVALID_REQUEST',
  NOT_YOUR_TURN: 'NOT_YOUR_TURN',
};
/** A device's clock may be a little ahead of the server's. */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * Home visits: a staff member takes issued documents with in-person signers on a visit; the tablet keeps them
 * (encrypted) and the signatures made offline, and sends each signature when it is online again. The server
 * accepts it only while the visit runs and the document, its request and the signer are as they were taken.
 */
@Injectable()
export class VisitsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: VisitsRepository,
    private readonly documents: DocumentsService,
    private readonly headers: DocumentHeadersService,
    private readonly signing: SigningService,
    private readonly networks: NetworksService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** 訪問に持ち出す: adds an issued document with in-person signers still to sign to the staff member's visit. */
  async take(user: CurrentUser, documentId: string, origin: RequestOrigin | null): Promise<{ visit: Visit; visitDocument: VisitDocument }> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '訪問に持ち出せるのは事業所の職員です');
    const document = await this.documents.writable(user, documentId, origin);
    if (document.status !== 'issued') throw new DomainError('INVALID_STATE', `${document.number} は「発行済」のときだけ訪問に持ち出せます`);
    const request = (await this.signing.forDocument(user, documentId, origin)).find((r) => r.status === 'open');
    if (!request || !request.signers.some((s) => s.method === 'in_person' && s.status === 'pending'))
      throw new DomainError(
        'INVALID_STATE',
        `${document.number} には対面で署名する方が残っていません（先に対面の署名者で署名を依頼してください）`,
      );
    return this.transactions.run(async (manager) => {
      const visit =
        (await this.repository.openVisitOf(user.id, manager)) ??
        (await this.repository.insertVisit(manager, {
          officeId: user.officeId,
          userId: user.id,
          expiresAt: new Date(Date.now() + this.config.visitHours * 3_600_000),
        }));
      const visitDocument = await this.repository.addDocument(manager, {
        visitId: visit.id,
        documentId,
        versionId: document.version.id,
        requestId: request.id,
      });
      await this.audit.record(
        {
          action: 'visit_taken',
          actor: user,
          target: { type: 'document', id: documentId },
          origin,
          detail: { visit: visit.id, request: request.id },
        },
        manager,
      );
      return { visit, visitDocument };
    });
  }

  /**
   * The tablet is readied for the visit by the staff member's password (checked and counted like a log-in):
   * offline, only that password takes the device back from a signer.
   */
  async prepareDevice(user: CurrentUser, visitId: string, password: string, origin: RequestOrigin, deviceTokens: string[]): Promise<void> {
    const visit = isUuid(visitId) ? await this.repository.findVisit(visitId) : null;
    if (!visit || visit.userId !== user.id) throw new DomainError('NOT_FOUND', '訪問が見つかりません');
    await this.auth.reauthenticate(user, password, origin, deviceTokens).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'REAUTH_REQUIRED')
        throw new DomainError('INVALID_REQUEST', error.message, error.details);
      throw error;
    });
  }

  /** The staff member's running visit with everything the tablet keeps for offline use; null when none runs. */
  async current(user: CurrentUser, origin: RequestOrigin | null): Promise<VisitView | null> {
    if (!isOfficeUser(user)) return null;
    const visit = await this.repository.openVisitOf(user.id);
    if (!visit) return null;
    const documents: VisitDocumentView[] = [];
    for (const taken of await this.repository.documentsOf(visit.id)) {
      // A document erased (or moved out of reach) since it was taken is no longer the tablet's to show.
      const document = await this.documents.writable(user, taken.documentId, origin).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
        throw error;
      });
      if (!document) continue;
      const request = (await this.signing.forDocument(user, taken.documentId, origin)).find((r) => r.id === taken.requestId);
      if (!request) continue;
      documents.push(this.documentView(taken, document, request));
    }
    return { id: visit.id, expiresAt: visit.expiresAt, staffName: user.name, documents };
  }

  /**
   * A signature made on the visit, sent by the tablet. Refused (and recorded, with the reason the staff member
   * sees) when the visit has expired, the document was withdrawn or corrected, the signer signed another way or
   * the request was cancelled; accepted, it is the signer's signature, witnessed by the staff member.
   */
  async sync(
    user: CurrentUser,
    visitId: string,
    input: { visitDocumentId: string; signerId: string; signedAt: string; signature?: SignatureInput; decline?: { reason?: string } },
    origin: RequestOrigin,
  ): Promise<{ status: 'accepted'; completed: boolean; receivedAt: Date }> {
    if (!input.signature === !input.decline)
      throw new DomainError('INVALID_REQUEST', '署名（signature）か辞退（decline）のどちらか一方を送ってください');
    const visit = isUuid(visitId) ? await this.repository.findVisit(visitId) : null;
    if (!visit || visit.userId !== user.id) {
      if (visit) await this.audit.record({ action: 'access_denied', actor: user, target: { type: 'visit', id: visitId }, origin });
      throw new DomainError('NOT_FOUND', '訪問が見つかりません');
    }
    const taken = await this.repository.findDocument(input.visitDocumentId, visit.id);
    if (!taken) throw new DomainError('NOT_FOUND', '訪問に持ち出した書類が見つかりません');
    const signedOnDeviceAt = new Date(input.signedAt);
    const kind = input.decline ? ('decline' as const) : ('signature' as const);
    const row = { visitId: visit.id, visitDocumentId: taken.id, signerId: input.signerId, kind, signedOnDeviceAt };
    try {
      const receivedAt = new Date();
      if (
        signedOnDeviceAt.getTime() > receivedAt.getTime() + CLOCK_SKEW_MS ||
        signedOnDeviceAt.getTime() < taken.takenAt.getTime() - CLOCK_SKEW_MS
      )
        throw new DomainError(
          'INVALID_REQUEST',
          `端末の署名日時（${formatJst(signedOnDeviceAt)}）が、持ち出した時から今までの間にありません。端末の時計を確かめてください`,
        );
      await this.assertUnchanged(user, visit, taken, input.signerId, origin);
      const offline = {
        visitId: visit.id,
        signedOnDeviceAt,
        alongside: async (manager: EntityManager) => {
          await this.repository.recordSignature(manager, { ...row, status: 'accepted', refusalCode: null, refusalMessage: null });
          await this.audit.record(
            {
              action: 'visit_synced',
              actor: user,
              target: { type: 'signer', id: input.signerId },
              origin,
              detail: { visit: visit.id, document: taken.documentId, kind, signedOnDeviceAt: signedOnDeviceAt.toISOString() },
            },
            manager,
          );
        },
      };
      if (input.decline) {
        await this.signing.declineOffline(user, taken.requestId, input.signerId, input.decline.reason ?? '', offline, origin);
        return { status: 'accepted', completed: false, receivedAt };
      }
      const result = await this.signing.signOffline(user, taken.requestId, input.signerId, input.signature!, offline, origin);
      return { status: 'accepted', completed: result.completed, receivedAt };
    } catch (error) {
      const code = error instanceof DomainError ? REFUSALS[error.code] : undefined;
      if (!code || !(error instanceof DomainError)) throw error;
      await this.transactions.run(async (manager) => {
        await this.repository.recordSignature(manager, { ...row, status: 'refused', refusalCode: code, refusalMessage: error.message });
        await this.audit.record(
          {
            action: 'visit_refused',
            actor: user,
            target: { type: 'signer', id: input.signerId },
            origin,
            detail: { visit: visit.id, document: taken.documentId, kind, code },
          },
          manager,
        );
      });
      throw new DomainError(code, error.message, error.details);
    }
  }

  /** The office's latest visits, for its signing overview: taken, synced, refused (with why). */
  async overview(user: CurrentUser, limit = 20): Promise<VisitOverviewItem[]> {
    if (!isOfficeUser(user)) return [];
    const { visits, documents, signatures } = await this.repository.latestOf(user.officeId, limit);
    const names = new Map((await this.users.findByIds([...new Set(visits.map((v) => v.userId))])).map((u) => [u.id, u.name]));
    const numbers = await this.headers.labels([...new Set(documents.map((d) => d.documentId))]);
    return visits.map((visit) => ({
      id: visit.id,
      staffName: names.get(visit.userId) ?? '',
      createdAt: visit.createdAt,
      expiresAt: visit.expiresAt,
      expired: visit.expiresAt.getTime() <= Date.now(),
      taken: documents.filter((d) => d.visitId === visit.id).length,
      synced: signatures.filter((s) => s.visitId === visit.id && s.status === 'accepted' && s.kind === 'signature').length,
      declined: signatures.filter((s) => s.visitId === visit.id && s.status === 'accepted' && s.kind === 'decline').length,
      refused: signatures
        .filter((s) => s.visitId === visit.id && s.status === 'refused')
        .map((s) => ({ signerId: s.signerId, code: s.refusalCode ?? '', message: s.refusalMessage ?? '', receivedAt: s.receivedAt })),
      documents: documents
        .filter((d) => d.visitId === visit.id)
        .map((d) => ({ documentId: d.documentId, number: numbers.get(d.documentId) ?? '' })),
    }));
  }

  /** The visit running, the document, its request and the signer as they were when taken: otherwise why not. */
  private async assertUnchanged(user: CurrentUser, visit: Visit, taken: VisitDocument, signerId: string, origin: RequestOrigin) {
    if (visit.expiresAt.getTime() <= Date.now())
      throw new DomainError(
        'VISIT_EXPIRED',
        `この訪問は期限（${formatJst(visit.expiresAt)}）を過ぎたため、署名を受け付けられません。事業所で署名をやり直してください`,
      );
    const document = await this.documents.writable(user, taken.documentId, origin);
    if (document.status === 'withdrawn' || document.status === 'revoked' || document.status === 'erased')
      throw new DomainError('DOCUMENT_CHANGED', `${document.number} は持ち出した後に取り下げられたため、署名を受け付けられません`);
    const corrected = document.subjectId
      ? (await this.documents.forPatient(document.officeId, document.subjectId)).some((d) => d.correctsDocumentId === document.id)
      : false;
    if (document.version.id !== taken.versionId || corrected)
      throw new DomainError(
        'DOCUMENT_CHANGED',
        `${document.number} は持ち出した後に訂正されたため、この署名は使えません。訂正後の書類で署名をやり直してください`,
      );
    const request = (await this.signing.forDocument(user, taken.documentId, origin)).find((r) => r.id === taken.requestId);
    const signer = request?.signers.find((s) => s.id === signerId);
    if (!request || !signer) throw new DomainError('NOT_FOUND', '署名者が見つかりません');
    if (signer.status !== 'pending' && signer.visitId === visit.id) return; // sent twice: the same signature or decline
    if (signer.status === 'signed' || document.status === 'signed')
      throw new DomainError('ALREADY_SIGNED', `${signer.name} さんは、持ち出した後に別の方法（メール・事業所の端末・紙）で署名しています`);
    if (request.status !== 'open' || signer.status === 'declined')
      throw new DomainError('REQUEST_CLOSED', `${document.number} の署名依頼は、持ち出した後に取り消されたか終了しています`);
  }

  private documentView(taken: VisitDocument, document: DocumentView, request: SigningRequestView): VisitDocumentView {
    const { form } = this.networks.getForm(document.networkId, document.formId);
    const signable = request.status === 'open' && document.status === 'issued';
    return {
      id: taken.id,
      documentId: document.id,
      number: document.number,
      formTitle: document.formTitle,
      formNumber: document.formNumber,
      requestId: request.id,
      takenAt: taken.takenAt,
      signable,
      readingHtml: readingHtml(this.networks, document.networkId, document.formId, document.version.data).toString(),
      printedHtml: this.networks.engine.wrapDocument(
        [this.networks.formHtml(document.networkId, document.formId, document.version.data)],
        document.formTitle,
        { screen: true },
      ),
      signers: request.signers.map((s) => {
        const role = form.signers.find((r) => r.role === s.role);
        return {
          id: s.id,
          name: s.name,
          roleLabel: s.roleLabel,
          status: s.status,
          signsHere: signable && s.method === 'in_person' && s.status === 'pending',
          ...signatureFields(role ?? { kind: 'staff' }),
          relation: s.relation,
        };
      }),
    };
  }
}
