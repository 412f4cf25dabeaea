import { Injectable } from '@nestjs/common';
import { Office } from '../accounts/accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { DocumentsService, DocumentView } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { Requirement, SecretariatDashboardService } from './secretariat-dashboard.service';
import { MAX_LIST_PAGE_SIZE } from '../common/validation/paging';

export interface OfficeDashboard {
  office: Office;
  networkName: string;
  documents: DocumentView[];
  /** What the secretariat still expects from this office, and where each item stands. */
  owed: Requirement[];
  /** The office's own copies (写し) and originals it keeps, ready to download. */
  kept: Array<{ code: string; mark: string; documentNumber: string; title: string; ready: boolean }>;
}

@Injectable()
export class OfficeDashboardService {
  constructor(
    private readonly offices: OfficesService,
    private readonly documents: DocumentsService,
    private readonly secretariat: SecretariatDashboardService,
    private readonly networks: NetworksService,
  ) {}

  async forOffice(user: CurrentUser): Promise<OfficeDashboard> {
    const office = await this.offices.get(user.officeId!);
    // The newest page (MAX_LIST_PAGE_SIZE), as before the list API was paged.
    const { documents } = await this.documents.list(user, {}, { limit: MAX_LIST_PAGE_SIZE, offset: 0 });
    const owed = (await this.secretariat.requirements(office.networkId, { officeId: office.id })).filter((r) => r.status !== 'received');
    const kept = documents
      .filter((d) => d.status !== 'withdrawn' && d.status !== 'erased')
      .flatMap((d) =>
        d.exemplars
          .filter((e) => e.holder === 'office')
          .map((e) => ({
            code: e.code,
            mark: e.mark,
            documentNumber: d.number,
            title: `${e.sheet === 'withdrawal-receipt' ? '撤回受付票 ' : ''}${d.formNumber} ${d.formTitle}`,
            ready: e.pdfSha256 !== null,
          })),
      );
    return { office, networkName: this.networks.getNetwork(office.networkId).name, documents, owed, kept };
  }
}
