import { Injectable } from '@nestjs/common';
import { NetworksService } from '../networks/networks.service';
import { DocumentsRepository } from './documents.repository';
import { DocumentHeader } from './documents.types';

/** What other features' lists show of documents they name (the audit log, signing's overview): no access check. */
@Injectable()
export class DocumentHeadersService {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly networks: NetworksService,
  ) {}

  /** Number, network and form of each document. */
  async headers(ids: string[]): Promise<Map<string, DocumentHeader>> {
    return new Map((ids.length ? await this.documents.findMany(ids) : []).map((d) => [d.id, d]));
  }

  /**
   * 「番号（様式名）」 of each document. A list that names documents (the audit log) outlives the catalogue: a form
   * no longer loaded (its network taken out of the templates) is named by its id instead of failing the list.
   */
  async labels(ids: string[]): Promise<Map<string, string>> {
    const titleOf = (d: DocumentHeader) =>
      this.networks
        .list()
        .find((n) => n.id === d.networkId)
        ?.forms.find((f) => f.id === d.formId)?.title ?? d.formId;
    const label = (d: DocumentHeader) => `${d.number}（${titleOf(d)}）`;
    return new Map([...(await this.headers(ids))].map(([id, d]) => [id, label(d)]));
  }
}
