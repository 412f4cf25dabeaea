import { Injectable, Logger } from '@nestjs/common';
import { Account, Office } from '../accounts/accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { DocumentPrintingService } from '../documents/document-printing.service';
import { DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { FormDefinition } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { buildDraft, rowsFromSource } from '../networks/prefill';
import { PeopleService } from '../people/people.service';
import { SigningService } from '../signing/signing.service';
import { ApplicationsService } from './applications.service';
import { InvitationsService } from './invitations.service';
import { ApplicationEntity } from './onboarding.entities';
import { applicationForms, applicationSources } from './onboarding.forms';
import { OnboardingRepository } from './onboarding.repository';
import { Application } from './onboarding.types';
import { Transactions } from '../common/database/transactions';

/**
 * Approving an application, in one transaction: the office and its manager's account (through accounts),
 * the manager and the users the application lists on the roster (each a line on the registration desk),
 * the application form as a document received online, the office pledge issued for the manager to sign,
 * and the invitation to set a password. After the commit: mail, printing, and the pledge's signing link
 * where the applicant chose to sign electronically.
 */
@Injectable()
export class ApplicationApprovalService {
  private readonly logger = new Logger(ApplicationApprovalService.name);

  constructor(
    private readonly repository: OnboardingRepository,
    private readonly applications: ApplicationsService,
    private readonly invitations: InvitationsService,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly people: PeopleService,
    private readonly documents: DocumentsService,
    private readonly printing: DocumentPrintingService,
    private readonly custody: CustodyService,
    private readonly signing: SigningService,
    private readonly networks: NetworksService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async approve(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<Application> {
    const found = await this.applications.visible(user, id, origin);
    if (user.role !== 'secretariat') throw new DomainError('FORBIDDEN', '申込の承認は事務局が行います');
    const forms = applicationForms(this.networks.getNetwork(found.networkId));
    const done = await this.transactions.run(async (tx) => {
      const application = await this.applications.pending(tx, found.id);
      if (await this.offices.findByName(application.networkId, application.officeName, tx))
        throw new DomainError('INVALID_STATE', `「${application.officeName}」は既にこのネットワークに登録されています`);
      const office = await this.offices.create(
        {
          networkId: application.networkId,
          name: application.officeName,
          postalCode: application.postalCode,
          address: application.address,
          phone: application.phone,
        },
        tx,
      );
      const manager = await this.users.createInvited(tx, {
        email: application.managerEmail,
        name: application.managerName,
        role: 'office_manager',
        officeId: office.id,
      });
      await this.roster(tx, application, office, forms.application);
      const exemplarIds: string[] = [];
      if (forms.application) {
        const { exemplars } = await this.documents.createIssuedIn(tx, manager, office, forms.application.id, null, application.data);
        exemplarIds.push(...exemplars.map((e) => e.id));
        const original = exemplars.find((e) => e.kind === 'original' && e.holder === 'secretariat');
        const number = this.applications.view(application).number;
        if (original) await this.custody.recordBySystem(tx, original, 'received', `オンライン申込 ${number}（${user.name}が承認）`);
      }
      let pledgeId: string | null = null;
      if (forms.pledge) {
        const data = buildDraft(forms.pledge, applicationSources(application));
        const { document, exemplars } = await this.documents.createIssuedIn(tx, manager, office, forms.pledge.id, null, data);
        pledgeId = document.id;
        exemplarIds.push(...exemplars.map((e) => e.id));
      }
      const esign = Boolean(forms.pledge && application.pledgeMethod === 'esign' && managerSigners(forms.pledge).length > 0);
      const outbox = await this.invitations.issue(tx, manager, office, user, {
        pledgeSigning: esign,
        pledgeTitle: forms.pledge ? `${forms.pledge.number} ${forms.pledge.title}` : null,
      });
      await this.repository.decide(tx, application.id, {
        status: 'approved',
        officeId: office.id,
        reviewedBy: user.id,
        reviewedByName: user.name,
      });
      const detail = { office: office.id, officeName: office.name, manager: manager.email, pledgeMethod: application.pledgeMethod };
      await this.audit.record({ action: 'application_approved', actor: user, target: { type: 'application', id }, origin, detail }, tx);
      return { manager, outbox, exemplarIds, pledgeId, esign };
    });
    await this.mail.dispatch([done.outbox]);
    await this.printing.queuePrint(done.exemplarIds);
    if (done.esign && done.pledgeId && forms.pledge)
      await this.requestPledgeSignature(user, done.manager, done.pledgeId, forms.pledge, origin);
    return this.applications.get(user, id, origin);
  }

  /**
   * The people the application lists become the new office's roster: the manager first, then each user the
   * application form lists (one with the manager's address is the manager). Each is a line on the desk.
   */
  private async roster(
    tx: Parameters<PeopleService['createStaff']>[0],
    application: ApplicationEntity,
    office: Office,
    form: FormDefinition | null,
  ): Promise<void> {
    const managerEmail = application.managerEmail.toLowerCase();
    const listed = form ? rowsFromSource(form, 'roster', application.data) : [];
    const asManager = listed.find((p) => p.email?.toLowerCase() === managerEmail);
    await this.people.createStaff(
      tx,
      office.id,
      {
        name: application.managerName,
        email: application.managerEmail,
        isManager: true,
        nameKana: asManager?.nameKana,
        jobTitle: asManager?.jobTitle,
      },
      'application',
    );
    for (const person of listed.filter((p) => p.name && p.email?.toLowerCase() !== managerEmail)) {
      await this.people.createStaff(
        tx,
        office.id,
        { name: person.name ?? '', nameKana: person.nameKana, jobTitle: person.jobTitle, email: person.email },
        'application',
      );
    }
  }

  /**
   * The pledge's signing link to the manager, through the existing signing flow (the office now exists and the
   * pledge is issued). Made on the new office's behalf; if it cannot be made, the office asks for it from the
   * pledge's page instead, and the refusal is in the audit log.
   */
  private async requestPledgeSignature(
    user: CurrentUser,
    manager: Account,
    pledgeId: string,
    pledge: FormDefinition,
    origin: RequestOrigin | null,
  ): Promise<void> {
    const signers = managerSigners(pledge).map((role) => ({ role: role.role, name: manager.name, email: manager.email, method: 'email' }));
    try {
      await this.signing.create(manager, pledgeId, { signers }, origin);
    } catch (error) {
      this.logger.warn(`pledge ${pledgeId}: signing link not sent: ${(error as Error).message}`);
      const detail = { document: pledgeId, reason: (error as Error).message };
      await this.audit.record({
        action: 'application_pledge_signing_failed',
        actor: user,
        target: { type: 'document', id: pledgeId },
        origin,
        detail,
      });
    }
  }
}

/** The pledge's required signer roles, when every one of them is the manager's to sign; else none (paper it is). */
function managerSigners(pledge: FormDefinition): FormDefinition['signers'] {
  const required = pledge.signers.filter((s) => s.required);
  return required.length > 0 && required.every((s) => s.kind === 'manager') ? required : [];
}
