import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { BatchedLookup } from '../database/batched-lookup';
import { ChannelListener } from '../database/channel-listener';
import { preparedQuery } from '../database/data-source';
import { ListenedCache } from '../database/listened-cache';
import { LinkSigner, OpenedLink, SigningDocument, SigningRequest } from './signing.types';

/** The row of the signing-link query: the signer, their request, the document and its latest data. */
interface OpenLinkRow {
  token_hash: string;
  id: string;
  request_id: string;
  role: string;
  role_label: string;
  position: number;
  name: string;
  email: string | null;
  relation: string | null;
  method: LinkSigner['method'];
  status: LinkSigner['status'];
  access_code_hash: string | null;
  access_failures: number;
  access_session_hash: string | null;
  viewed_at: Date | null;
  earlier_pending: number;
  request_status: SigningRequest['status'];
  ordered: boolean;
  expires_at: Date;
  document_id: string;
  office_id: string;
  number: string;
  network_id: string;
  form_id: string;
  document_status: string;
  version_id: string;
  data: Record<string, unknown>;
}

/** What a link leads to, as stored; the service adds what the catalogue says of the form. */
export interface LinkRecord {
  signer: LinkSigner;
  request: OpenedLink['request'];
  document: Omit<SigningDocument, 'formTitle' | 'formNumber'>;
}

/**
 * What an e-mailed signing link leads to, read in one query over signing's tables and the document's (its
 * signer, the signers before them, the request, the document and its latest version).
 */
@Injectable()
export class OpenLinksRepository implements OnApplicationShutdown {
  // One prepared query for the links opened at one moment (families open them many at once), with the document's latest version.
  private readonly links = new BatchedLookup<OpenLinkRow>(
    (tokenHashes) =>
      preparedQuery<OpenLinkRow>(
        this.dataSource,
        'open-signing-links',
        `SELECT s.token_hash, s.id, s.request_id, s.role, s.role_label, s.position, s.name, s.email, s.relation, s.method, s.status,
                s.access_code_hash, s.access_failures, s.access_session_hash, s.viewed_at, (SELECT count(*)::int FROM signer e WHERE r.ordered AND e.request_id = s.request_id AND e.position < s.position AND e.status <> 'signed') AS earlier_pending,
                r.status AS request_status, r.ordered, r.expires_at, r.document_id, r.office_id,
                d.number, d.network_id, d.form_id, d.status AS document_status, v.id AS version_id, v.data
           FROM signer s
           JOIN signing_request r ON r.id = s.request_id
           JOIN document d ON d.id = r.document_id
           JOIN LATERAL (SELECT id, data FROM document_version WHERE document_id = d.id ORDER BY version DESC LIMIT 1) v ON true
          WHERE s.token_hash = ANY($1::char(64)[])`,
        [tokenHashes],
      ),
    (row) => row.token_hash,
  );

  private readonly keptLinks: ListenedCache<LinkRecord>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // The rows of links being opened, kept until PostgreSQL announces a change to their document (migration
    // 1765700000000): a family reloading its page, or many opening theirs, costs no query.
    this.keptLinks = new ListenedCache<LinkRecord>(
      { maxAgeMs: config.signingLinkCacheSeconds * 1000, maxRows: 5_000, groupOf: (link) => link.document.id },
      (handlers) => new ChannelListener(config.databaseUrl, 'signing_link_changed', handlers),
    );
  }

  onApplicationShutdown(): Promise<void> {
    return this.keptLinks.close();
  }

  /**
   * What the link of this token hash leads to, as stored. `kept`: a copy this process keeps may answer, for
   * pages that only show the link (every change to it is announced, and drops the copy as it commits). A kept
   * copy is shared by every request that reads it: read it, never change it.
   */
  async link(tokenHash: string, read: 'fresh' | 'kept' = 'fresh'): Promise<LinkRecord | null> {
    const find = async () => {
      const row = await this.links.find(tokenHash);
      return row && recordOf(row);
    };
    return (await (read === 'kept' ? this.keptLinks.get(tokenHash, find) : find())) ?? null;
  }
}

function recordOf(row: OpenLinkRow): LinkRecord {
  return {
    signer: {
      id: row.id,
      requestId: row.request_id,
      role: row.role,
      roleLabel: row.role_label,
      position: row.position,
      name: row.name,
      email: row.email,
      relation: row.relation,
      method: row.method,
      status: row.status,
      accessCodeHash: row.access_code_hash,
      accessFailures: row.access_failures,
      accessSessionHash: row.access_session_hash,
      viewedAt: row.viewed_at,
      earlierPending: row.earlier_pending,
    },
    request: {
      id: row.request_id,
      status: row.request_status,
      ordered: row.ordered,
      expiresAt: row.expires_at,
      documentId: row.document_id,
      officeId: row.office_id,
    },
    document: {
      id: row.document_id,
      number: row.number,
      networkId: row.network_id,
      formId: row.form_id,
      officeId: row.office_id,
      status: row.document_status,
      version: { id: row.version_id, data: row.data },
    },
  };
}
