import { Inject, Injectable, Logger } from '@nestjs/common';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { parseIsoDate, todayInJapan } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentsService } from '../documents/documents.service';
import { RetentionFacts } from '../documents/documents.types';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { RetentionRule } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { RightsRepository } from './rights.repository';
import { RetentionDue } from './rights.types';
import { Transactions } from '../common/database/transactions';

/** A listed document as the office's pages and the API show it. */
export interface RetentionItem extends RetentionDue {
  number: string;
  form: string;
  status: string;
  subjectType: string;
  subjectId: string | null;
  subjectName: string | null;
  /** What keeps it for now (法的保存, a request still unanswered); null when it may be disposed of. */
  keptBy: string | null;
}

/** `years` after a YYYY-MM-DD date (29 February runs to 1 March in a common year). */
export function addYears(date: string, years: number): string {
  const { year, month, day } = parseIsoDate(date);
  return new Date(Date.UTC(year + years, month - 1, day)).toISOString().slice(0, 10);
}

/**
 * The day a document's retention starts, under its form's rule (catalogue `retention`), or null while it is
 * still in use. `end_of_use`: withdrawn or revoked (that day), superseded by a signed correction, or — for
 * a staff member's form — the day they left.
 */
export function retentionStart(doc: RetentionFacts, rule: RetentionRule, staffLeft: Date | null): string | null {
  if (rule.from === 'issued') return todayInJapan(doc.issuedAt ?? doc.createdAt);
  if (doc.status === 'withdrawn' || doc.status === 'revoked') return doc.endedOn ?? todayInJapan(doc.createdAt);
  const ends = [doc.supersededAt, doc.subjectType === 'staff' ? staffLeft : null].filter((d): d is Date => d !== null);
  return ends.length ? todayInJapan(new Date(Math.min(...ends.map((d) => d.getTime())))) : null;
}

/**
 * The daily retention check: every document not yet erased is weighed against its form's retention
 * (declared per network in the catalogue); what is past it is listed for its office, whose managers are
 * told by e-mail of what is new on the list. Nothing is erased here: a manager confirms each disposal.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RightsRepository,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
    private readonly people: PeopleService,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly transactions: Transactions,
  ) {}

  /** What is past retention now, for one office or all. */
  async pastRetention(officeId?: string): Promise<Array<Pick<RetentionDue, 'documentId' | 'officeId' | 'dueAt'>>> {
    const facts = await this.documents.retentionFacts(officeId);
    const staffIds = facts.filter((f) => f.subjectType === 'staff' && f.subjectId).map((f) => f.subjectId!);
    const left = await this.people.staffLeftDates(staffIds);
    const today = todayInJapan();
    const due: Array<Pick<RetentionDue, 'documentId' | 'officeId' | 'dueAt'>> = [];
    for (const doc of facts) {
      const network = this.networks.list().find((n) => n.id === doc.networkId);
      const form = network?.forms.find((f) => f.id === doc.formId);
      if (!form) continue; // a network or form no longer in the catalogue: kept until someone decides
      const start = retentionStart(doc, form.retention, doc.subjectId ? (left.get(doc.subjectId) ?? null) : null);
      const dueAt = start ? addYears(start, form.retention.years) : null;
      if (dueAt && dueAt <= today) due.push({ documentId: doc.id, officeId: doc.officeId, dueAt });
    }
    return due;
  }

  /** The daily job: lists what is past retention and tells each office's managers what is new. */
  async scan(): Promise<{ due: number; added: number }> {
    const due = await this.pastRetention();
    const outbox: QueuedMail[] = [];
    const added = await this.transactions.run(async (manager) => {
      const { added } = await this.repository.replaceRetentionDue(manager, due);
      const byOffice = new Map<string, number>();
      for (const item of added) byOffice.set(item.officeId, (byOffice.get(item.officeId) ?? 0) + 1);
      for (const [officeId, count] of byOffice) {
        const office = await this.offices.get(officeId, manager);
        const network = this.networks.getNetwork(office.networkId);
        for (const managerUser of await this.users.managersOf(officeId)) {
          const message = this.mail.compose(office.networkId, 'retention-due', {
            networkName: network.name,
            officeName: office.name,
            count,
            link: `${this.config.publicUrl}/office/retention`,
          });
          outbox.push(await this.mail.enqueue(manager, { kind: 'retention-due', to: managerUser.email, ...message }));
        }
      }
      return added;
    });
    await this.mail.dispatch(outbox);
    if (due.length) this.logger.log(`${due.length} document(s) past retention, ${added.length} newly listed`);
    return { due: due.length, added: added.length };
  }

  listed(officeId: string): Promise<RetentionDue[]> {
    return this.repository.retentionDueOf(officeId);
  }

  /** The office's list as its pages show it: each document, whom it is about, and what still keeps it (法的保存, an open request). */
  async listedFor(officeId: string): Promise<RetentionItem[]> {
    const listed = await this.repository.retentionDueOf(officeId);
    const docs = await Promise.all(listed.map((r) => this.documents.byId(r.documentId)));
    const patientIds = docs.filter((d) => d.subjectType === 'patient' && d.subjectId).map((d) => d.subjectId!);
    const patients = new Map((await this.people.patientsByIds(patientIds)).map((p) => [p.id, p.name]));
    const staff = new Map((await this.people.listStaff(officeId, true)).map((p) => [p.id, p.name]));
    const held = new Set((await this.repository.activeHolds(patientIds)).map((h) => h.patientId));
    const asking = new Set((await this.repository.requestsOfOffice(officeId, 'open')).map((r) => r.patientId));
    return listed.map((item, i) => {
      const doc = docs[i];
      const subject = doc.subjectId ? (patients.get(doc.subjectId) ?? staff.get(doc.subjectId) ?? null) : null;
      const keptBy =
        doc.subjectId && held.has(doc.subjectId) ? '法的保存中' : doc.subjectId && asking.has(doc.subjectId) ? '未回答の請求あり' : null;
      return {
        ...item,
        number: doc.number,
        form: `${doc.formNumber} ${doc.formTitle}`,
        status: doc.status,
        subjectType: doc.subjectType,
        subjectId: doc.subjectId,
        subjectName: subject,
        keptBy,
      };
    });
  }
}
