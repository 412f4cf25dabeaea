import { Injectable } from '@nestjs/common';
import { OfficesService } from '../accounts/offices.service';
import { sha256Hex } from '../common/hash';
import { CustodyService } from '../custody/custody.service';
import { DocumentsService } from '../documents/documents.service';
import { FamilyLinksRepository } from './family-links.repository';
import { LinkOfficesRepository } from './link-offices.repository';

/** Whom a family member calls: the office that sent them the link. */
export interface OfficeContact {
  name: string;
  phone: string | null;
}

/**
 * The office behind a family's link, for the pages that refuse it (locked, expired, used, cancelled, withdrawn…):
 * such a page names whom to call. Found whatever the link's state; null only for a link never on record.
 */
@Injectable()
export class FamilyContactService {
  constructor(
    private readonly linkOffices: LinkOfficesRepository,
    private readonly familyLinks: FamilyLinksRepository,
    private readonly custody: CustodyService,
    private readonly documents: DocumentsService,
    private readonly offices: OfficesService,
  ) {}

  async forSigningLink(token: string): Promise<OfficeContact | null> {
    const officeId = usable(token) ? await this.linkOffices.officeOf(sha256Hex(token)) : null;
    return officeId ? this.ofOffice(officeId) : null;
  }

  async forDownloadLink(token: string): Promise<OfficeContact | null> {
    const link = usable(token) ? await this.familyLinks.findDownloadLink(sha256Hex(token)) : null;
    const exemplar = link ? await this.custody.findById(link.exemplarId) : null;
    return exemplar ? this.ofDocument(exemplar.documentId) : null;
  }

  async forWithdrawalLink(token: string): Promise<OfficeContact | null> {
    const link = usable(token) ? await this.familyLinks.findWithdrawalLink(sha256Hex(token)) : null;
    return link ? this.ofDocument(link.documentId) : null;
  }

  private async ofDocument(documentId: string): Promise<OfficeContact | null> {
    const document = await this.documents.byId(documentId).catch(() => null);
    return document ? this.ofOffice(document.officeId) : null;
  }

  private async ofOffice(officeId: string): Promise<OfficeContact> {
    const office = await this.offices.get(officeId);
    return { name: office.name, phone: office.phone };
  }
}

function usable(token: unknown): token is string {
  return typeof token === 'string' && token.length > 0 && token.length <= 100;
}
