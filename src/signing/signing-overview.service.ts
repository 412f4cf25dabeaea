import { Injectable } from '@nestjs/common';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { DomainError } from '../common/errors/domain-error';
import { NetworksService } from '../networks/networks.service';
import { DocumentHeadersService } from '../documents/document-headers.service';
import { SigningOfficeRepository } from './signing-office.repository';
import { SigningOverviewItem, SigningRequest } from './signing.types';
import { MAX_ACCESS_CODE_FAILURES } from './signing.validation';

/** The office's overview of its signing requests: open ones expiring soonest first, then those closed lately. */
@Injectable()
export class SigningOverviewService {
  constructor(
    private readonly repository: SigningOfficeRepository,
    private readonly networks: NetworksService,
    private readonly documents: DocumentHeadersService,
  ) {}

  async overview(user: CurrentUser): Promise<{ open: SigningOverviewItem[]; closed: SigningOverviewItem[] }> {
    if (!isOfficeUser(user) || !user.officeId) throw new DomainError('FORBIDDEN', '事業所の職員だけが使えます');
    const { open, closed } = await this.repository.overview(user.officeId);
    const signers = await this.repository.signersOf([...open, ...closed].map((r) => r.id));
    const documents = await this.documents.headers([...new Set([...open, ...closed].map((r) => r.documentId))]);
    const item = (request: SigningRequest): SigningOverviewItem => {
      const { number, networkId, formId } = documents.get(request.documentId)!;
      const { form } = this.networks.getForm(networkId, formId);
      return {
        ...request,
        documentNumber: number,
        formTitle: form.title,
        formNumber: form.number,
        signers: (signers.get(request.id) ?? []).map(({ accessFailures, ...s }) => ({
          ...s,
          locked: accessFailures >= MAX_ACCESS_CODE_FAILURES,
        })),
      };
    };
    return { open: open.map(item), closed: closed.map(item) };
  }

  /** Of these documents (the caller's own), those whose latest signing request was declined. */
  declinedAmong(documentIds: string[]): Promise<Set<string>> {
    return this.repository.declinedAmong(documentIds);
  }
}
