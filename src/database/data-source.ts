import type { Pool, QueryResultRow } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { listenForChanges } from './table-changes';
import { OfficeEntity } from '../accounts/office.entity';
import { SessionEntity } from '../accounts/session.entity';
import { ApiKeyEntity } from '../accounts/api-key.entity';
import { WebhookAttemptEntity, WebhookDeliveryEntity, WebhookEndpointEntity } from '../integrations/webhook.entities';
import { UserEntity } from '../accounts/user.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { CustodyEventEntity } from '../custody/custody-event.entity';
import { ExemplarEntity } from '../custody/exemplar.entity';
import { DocumentEntity, DocumentVersionEntity } from '../documents/document.entity';
import { FamilyContactEntity, PatientEntity } from '../people/patient.entity';
import { StaffMemberEntity } from '../people/staff-member.entity';
import { NetworkEntity } from '../networks/network.entity';
import { PdfBlobEntity } from '../rendering/pdf-blob.entity';
import { RenderRequestEntity } from '../rendering/render-request.entity';
import { MailOutboxEntity } from '../mail/mail-outbox.entity';
import { DownloadLinkEntity, SignerEntity, SigningRequestEntity, WithdrawalLinkEntity } from '../signing/signing.entities';
import {
  ConsentWithdrawalEntity,
  ErasureEntity,
  LegalHoldEntity,
  RetentionDueEntity,
  RightsCorrectionEntity,
  RightsRequestEntity,
} from '../rights/rights.entities';
import { BatchChunkEntity, BatchEntity, BatchPersonEntity } from '../batches/batch.entities';
import { ApplicationEntity, InvitationEntity } from '../onboarding/onboarding.entities';
import { RegistrationLineEntity, RegistrationQuestionEntity } from '../registrations/registration.entities';
import { TrainingRecordEntity } from '../training/training-record.entity';
import { FollowUpEntity } from '../follow-ups/follow-up.entity';
import { Foundation1763700000000 } from './migrations/1763700000000-Foundation';
import { AccountsDocumentsCustody1763800000000 } from './migrations/1763800000000-AccountsDocumentsCustody';
import { Signing1763900000000 } from './migrations/1763900000000-Signing';
import { Batches1764000000000 } from './migrations/1764000000000-Batches';
import { FormSubjects1764100000000 } from './migrations/1764100000000-FormSubjects';
import { ConsentLifecycle1764200000000 } from './migrations/1764200000000-ConsentLifecycle';
import { LoginSecurity1764300000000 } from './migrations/1764300000000-LoginSecurity';
import { PasskeyEntity, RecoveryCodeEntity, TotpEntity } from '../accounts/mfa.entities';
import { SecurityFindings1764400000000 } from './migrations/1764400000000-SecurityFindings';
import { Desk1764500000000 } from './migrations/1764500000000-Desk';
import { Reliability1764600000000 } from './migrations/1764600000000-Reliability';
import { PeoplePages1764710000000 } from './migrations/1764710000000-PeoplePages';
import { SigningOverview1764720000000 } from './migrations/1764720000000-SigningOverview';
import { ArchiveTimestamps1764790000000 } from './migrations/1764790000000-ArchiveTimestamps';
import { WithdrawalLinkExpiry1764791000000 } from './migrations/1764791000000-WithdrawalLinkExpiry';
import { SigningLinkOffices1765200000000 } from './migrations/1765200000000-SigningLinkOffices';
import { LoginWithoutRedis1764813000000 } from './migrations/1764813000000-LoginWithoutRedis';
import { Integrations1765100000000 } from './migrations/1765100000000-Integrations';
import { SecretariatAtScale1765400000000 } from './migrations/1765400000000-SecretariatAtScale';
import { PdfObjectStorage1765500000000 } from './migrations/1765500000000-PdfObjectStorage';
import { Visits1765600000000 } from './migrations/1765600000000-Visits';
import { VisitDeclines1765610000000 } from './migrations/1765610000000-VisitDeclines';
import { SigningLinkChanges1765700000000 } from './migrations/1765700000000-SigningLinkChanges';
import { VisitDocumentEntity, VisitEntity, VisitSignatureEntity } from '../visits/visit.entities';

export const ENTITIES = [
  NetworkEntity,
  OfficeEntity,
  PdfBlobEntity,
  RenderRequestEntity,
  UserEntity,
  SessionEntity,
  StaffMemberEntity,
  PatientEntity,
  FamilyContactEntity,
  DocumentEntity,
  DocumentVersionEntity,
  ExemplarEntity,
  CustodyEventEntity,
  AuditEventEntity,
  SigningRequestEntity,
  SignerEntity,
  DownloadLinkEntity,
  MailOutboxEntity,
  BatchEntity,
  BatchPersonEntity,
  BatchChunkEntity,
  TotpEntity,
  PasskeyEntity,
  RecoveryCodeEntity,
  ApplicationEntity,
  InvitationEntity,
  RegistrationLineEntity,
  RegistrationQuestionEntity,
  TrainingRecordEntity,
  FollowUpEntity,
  WithdrawalLinkEntity,
  RightsRequestEntity,
  RightsCorrectionEntity,
  ConsentWithdrawalEntity,
  LegalHoldEntity,
  RetentionDueEntity,
  ErasureEntity,
  ApiKeyEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
  WebhookAttemptEntity,
  VisitEntity,
  VisitDocumentEntity,
  VisitSignatureEntity,
];
export const MIGRATIONS = [
  Foundation1763700000000,
  AccountsDocumentsCustody1763800000000,
  Signing1763900000000,
  Batches1764000000000,
  FormSubjects1764100000000,
  ConsentLifecycle1764200000000,
  LoginSecurity1764300000000,
  SecurityFindings1764400000000,
  Desk1764500000000,
  Reliability1764600000000,
  PeoplePages1764710000000,
  SigningOverview1764720000000,
  ArchiveTimestamps1764790000000,
  WithdrawalLinkExpiry1764791000000,
  LoginWithoutRedis1764813000000,
  Integrations1765100000000,
  SigningLinkOffices1765200000000,
  SecretariatAtScale1765400000000,
  PdfObjectStorage1765500000000,
  Visits1765600000000,
  VisitDeclines1765610000000,
  SigningLinkChanges1765700000000,
];

/** Schema changes only through migrations: `synchronize` stays off everywhere. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // Tests provoke failing queries on purpose (e.g. editing the append-only ledger); don't print them.
    logging: process.env.NODE_ENV === 'test' ? false : ['error'],
    // No JIT: the 事務局's read model has plans whose estimated cost passes jit_above_cost, and compiling them
    // took longer (about 250 ms) than running them; no query of this service runs long enough to gain from it.
    // Every pooled session hears the tables' announcements, its own transactions' first (table-changes.ts).
    extra: { options: '-c jit=off', onConnect: listenForChanges },
  };
}

export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl));
}

/**
 * Runs a named (server-side prepared) statement on the pool TypeORM manages. Postgres then plans it
 * once per connection: for a small indexed join that is most of its cost, so use it for queries on hot
 * paths only.
 */
export async function preparedQuery<Row>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query<Row & QueryResultRow>({ name, text, values });
  return result.rows;
}
