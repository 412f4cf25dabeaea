import { Injectable } from '@nestjs/common';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { ownOffice, requireInTenancy } from '../common/auth/tenancy';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { isUuid } from '../common/validation';
import { NetworksService } from '../networks/networks.service';
import { DocumentScope, DocumentsRepository } from './documents.repository';
import { Document } from './documents.types';

/**
 * Who may see and change a document. Its office sees and changes it; the 事務局 of its network sees the
 * forms submitted to it (never a patient's consent the office keeps); an admin sees and changes anything.
 */
@Injectable()
export class DocumentAccessPolicy {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly networks: NetworksService,
    private readonly audit: AuditService,
  ) {}

  /** A document the user may see (or change); anything else is a 404 exactly like a missing one. */
  async visible(user: CurrentUser, id: string, origin: RequestOrigin | null, options: { write?: boolean } = {}): Promise<Document> {
    const doc = isUuid(id) ? await this.documents.find(id) : null;
    return requireInTenancy(this.audit, user, doc, {
      target: { type: 'document', id },
      covers: (d) => (options.write ? this.mayWrite(user, d) : this.maySee(user, d)),
      origin,
      missing: '書類が見つかりません',
    });
  }

  maySee(user: CurrentUser, doc: Pick<Document, 'officeId' | 'networkId' | 'formId'>): boolean {
    if (this.mayWrite(user, doc)) return true;
    return (
      user.role === 'secretariat' && doc.networkId === user.networkId && this.networks.submittedFormIds(doc.networkId).includes(doc.formId)
    );
  }

  mayWrite(user: CurrentUser, doc: Pick<Document, 'officeId'>): boolean {
    return user.role === 'admin' || ownOffice(user, doc.officeId);
  }

  /** The documents a list shows this user. */
  scopeOf(user: CurrentUser): DocumentScope {
    if (isOfficeUser(user)) return { officeId: user.officeId };
    if (user.role === 'secretariat') return { networkId: user.networkId!, formIds: this.networks.submittedFormIds(user.networkId!) };
    return { all: true };
  }
}
