import { IntegrationEvents } from '../integrations/integration-events.service';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { EntityManager } from 'typeorm';
import { CurrentUser } from '../common/auth/current-user';
import { officeNameKey, OfficesService } from '../accounts/offices.service';
import { requireInTenancy } from '../common/auth/tenancy';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { formatJst } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { invalidRequest, toFieldErrors } from '../common/validation/field-errors';
import { lineBreakErrors } from '../common/validation/text-rules';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { buildDraft } from '../networks/prefill';
import { CreateApplicationDto } from './dto/create-application.dto';
import { ApplicationEntity } from './onboarding.entities';
import { applicationForms, applicationSources, TOP_LEVEL_OF_SOURCE } from './onboarding.forms';
import { OnboardingRepository } from './onboarding.repository';
import { Application, ApplicationInput, ApplicationStatus } from './onboarding.types';
import { Transactions } from '../common/database/transactions';

/**
 * Applications to join a network (itabashi 第3条, minato 第4条, musashimurayama 第12条, rurume 第3条,
 * takarazuka A7): taken from the public page or API, checked whole (the office, its manager, the network's
 * application form), refused when the office or a pending application with the same address is already known;
 * then reviewed. An address with an account is not refused here (that would tell anyone who has one).
 */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly repository: OnboardingRepository,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  /** Takes an application: every problem is reported at once (400) and nothing is saved. */
  async submit(input: ApplicationInput, origin: RequestOrigin | null): Promise<Application> {
    const network = this.networks.getNetwork(String(input.network ?? ''));
    const dto = plainToInstance(CreateApplicationDto, { ...input });
    const errors = toFieldErrors(await validate(dto, { validationError: { target: true, value: true } }));
    // The web page's post comes here unchecked (ApplyFormDto keeps it whole): the pipe's rule for one-line text.
    errors.push(...lineBreakErrors(dto).filter((b) => !errors.some((e) => e.path === b.path)));
    const { application: form, pledge } = applicationForms(network);
    if (pledge && !dto.pledgeMethod && !errors.some((e) => e.path === 'pledgeMethod'))
      errors.push({ path: 'pledgeMethod', label: '誓約書の提出方法', message: `${pledge.title}の提出方法を選んでください` });
    let data: Record<string, unknown> = {};
    if (form) {
      const given = dto.data && typeof dto.data === 'object' && !Array.isArray(dto.data) ? dto.data : {};
      const checked = form.validator.check({ ...given, ...buildDraft(form, applicationSources(dto)) });
      for (const error of checked.errors) {
        const source = form.prefill[error.path.split(/[.[]/)[0]];
        const top = typeof source === 'string' ? TOP_LEVEL_OF_SOURCE[source] : undefined;
        if (!top) errors.push({ ...error, path: `data.${error.path}` });
        else if (!errors.some((e) => e.path === top)) errors.push({ ...error, path: top });
      }
      data = checked.data ?? {};
    }
    if (errors.length) throw invalidRequest(errors);
    const duplicates = await this.duplicates(network.id, network.name, dto);
    if (duplicates.length) throw invalidRequest(duplicates);

    const { application, outbox } = await this.transactions
      .run(async (manager) => {
        const application = await this.repository.insertApplication(manager, {
          networkId: network.id,
          officeName: dto.officeName,
          nameKey: officeNameKey(dto.officeName),
          postalCode: dto.postalCode || null,
          address: dto.address,
          phone: dto.phone,
          managerName: dto.managerName,
          managerEmail: dto.managerEmail,
          data,
          pledgeMethod: pledge ? dto.pledgeMethod! : null,
        });
        const target = { type: 'application', id: application.id };
        await this.audit.record({ action: 'application_submitted', email: dto.managerEmail, target, origin }, manager);
        await this.events.emit(manager, {
          type: 'application.submitted',
          officeId: null,
          networkId: network.id,
          data: {
            applicationId: application.id,
            status: 'pending',
            pledgeMethod: pledge ? dto.pledgeMethod! : null,
            submittedAt: new Date().toISOString(),
          },
        });
        const saved = (await this.repository.application(application.id, manager))!;
        return { application: saved, outbox: await this.announce(manager, saved) };
      })
      .catch((error: { code?: string }) => {
        // Two identical applications at the same moment: the second meets the pending-name index.
        if (error?.code === '23505') throw invalidRequest([duplicateName()]);
        throw error;
      });
    await this.mail.dispatch(outbox);
    return this.view(application);
  }

  /** The network's applications (admin: all), pending ones oldest first. */
  async list(user: CurrentUser, status?: ApplicationStatus): Promise<Application[]> {
    const networkId = user.role === 'secretariat' ? user.networkId! : undefined;
    return (await this.repository.applications({ networkId, status })).map((a) => this.view(a));
  }

  /** One application of the user's network (the 事務局's), else 404, audited. */
  async get(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<Application> {
    return this.view(await this.visible(user, id, origin));
  }

  /** Refuses a pending application; the applicant is told why by e-mail. */
  async reject(user: CurrentUser, id: string, reason: string, origin: RequestOrigin | null): Promise<Application> {
    const found = await this.visible(user, id, origin);
    const outbox = await this.transactions.run(async (manager) => {
      const application = await this.pending(manager, found.id);
      const text = reason.trim();
      await this.repository.decide(manager, application.id, {
        status: 'rejected',
        rejectReason: text,
        reviewedBy: user.id,
        reviewedByName: user.name,
      });
      const detail = { reason: text, office: application.officeName };
      await this.audit.record(
        { action: 'application_rejected', actor: user, target: { type: 'application', id }, origin, detail },
        manager,
      );
      const network = this.networks.getNetwork(application.networkId);
      const message = this.mail.compose(network.id, 'application-rejected', {
        ...this.mailContext(application),
        reason: text,
        secretariatName: network.secretariat.name,
      });
      return this.mail.enqueue(manager, { kind: 'application-rejected', to: application.managerEmail, ...message });
    });
    await this.mail.dispatch([outbox]);
    return this.get(user, id, origin);
  }

  /** The application's forms as the 事務局 reads them: the filled application, and the pledge as it will be prefilled. */
  formsOf(
    application: Application,
  ): Array<{ which: 'application' | 'pledge'; formId: string; label: string; data: Record<string, unknown> }> {
    const { application: form, pledge } = applicationForms(this.networks.getNetwork(application.networkId));
    return [
      ...(form ? [{ which: 'application' as const, formId: form.id, label: `${form.number} ${form.title}`, data: application.data }] : []),
      ...(pledge
        ? [
            {
              which: 'pledge' as const,
              formId: pledge.id,
              label: `${pledge.number} ${pledge.title}`,
              data: buildDraft(pledge, applicationSources(application)),
            },
          ]
        : []),
    ];
  }

  /** An application still pending, locked in the caller's transaction; a decided one is refused. */
  async pending(manager: EntityManager, id: string): Promise<ApplicationEntity> {
    const application = (await this.repository.application(id, manager, true))!;
    if (application.status !== 'pending')
      throw new DomainError('INVALID_STATE', `この申込は既に${application.status === 'approved' ? '承認' : '却下'}されています`);
    return application;
  }

  async visible(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<ApplicationEntity> {
    return requireInTenancy(this.audit, user, await this.repository.application(id), {
      target: { type: 'application', id },
      covers: (a) => user.role === 'admin' || (user.role === 'secretariat' && a.networkId === user.networkId),
      origin,
      missing: '申込が見つかりません',
    });
  }

  view(entity: ApplicationEntity): Application {
    const { seq, nameKey: _nameKey, reviewedBy: _reviewedBy, ...rest } = entity;
    return { ...rest, number: applicationNumber(seq) };
  }

  /**
   * What mails about an application may say: the network, the number and when. Nothing the applicant typed —
   * the form is public, so its text would be relayed to any address; the 事務局 reads it on its page.
   */
  mailContext(application: Pick<ApplicationEntity, 'networkId' | 'seq' | 'createdAt'>) {
    const network = this.networks.getNetwork(application.networkId);
    return {
      networkName: network.name,
      operator: network.operator,
      number: applicationNumber(application.seq),
      submittedAt: formatJst(application.createdAt),
    };
  }

  /** Whether the applicant's address already belongs to an account: the 事務局 sees it when reviewing, never the public. */
  async managerEmailTaken(application: Pick<Application, 'managerEmail'>): Promise<boolean> {
    return (await this.users.findByEmail(application.managerEmail)) !== null;
  }

  private async duplicates(networkId: string, networkName: string, dto: CreateApplicationDto): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    if (await this.offices.findByName(networkId, dto.officeName))
      errors.push({ path: 'officeName', label: '事業所名', message: `「${dto.officeName}」は既に${networkName}に登録されています` });
    else if (await this.repository.pendingLike(networkId, { nameKey: officeNameKey(dto.officeName) })) errors.push(duplicateName());
    // An address that already has an account is taken like any other: the public answer must not tell
    // (the log-in page does not either); the 事務局 sees the clash on the application's page.
    if (await this.repository.pendingLike(networkId, { email: dto.managerEmail }))
      errors.push({
        path: 'managerEmail',
        label: '管理者メールアドレス',
        message: 'このメールアドレスでの申込を既に受け付けており、事務局が審査中です',
      });
    return errors;
  }

  /** The applicant's receipt, and word to the network's 事務局 that an application waits. */
  private async announce(manager: EntityManager, application: ApplicationEntity): Promise<QueuedMail[]> {
    const context = this.mailContext(application);
    const outbox = [
      await this.mail.enqueue(manager, {
        kind: 'application-received',
        to: application.managerEmail,
        ...this.mail.compose(application.networkId, 'application-received', context),
      }),
    ];
    for (const clerk of await this.users.secretariatOf(application.networkId)) {
      const message = this.mail.compose(application.networkId, 'application-new', { ...context, recipientName: clerk.name });
      outbox.push(await this.mail.enqueue(manager, { kind: 'application-new', to: clerk.email, ...message }));
    }
    return outbox;
  }
}

export function applicationNumber(seq: number): string {
  return `申込-${String(seq).padStart(6, '0')}`;
}

function duplicateName(): FieldError {
  return { path: 'officeName', label: '事業所名', message: 'この事業所名での申込を既に受け付けており、事務局が審査中です' };
}
