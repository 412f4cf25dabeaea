import { todayInJapan } from '../common/japan-date';
import { FormDefinition } from '../networks/catalogue.types';
import { DraftSources } from '../networks/prefill';

/**
 * The forms an application involves, found by what the catalogue declares (never by id): the network's
 * application form, where it has one, and the office pledge the manager signs.
 */
export function applicationForms<F extends FormDefinition>(network: { forms: F[] }): { application: F | null; pledge: F | null } {
  return {
    application: network.forms.find((f) => f.purpose === 'application') ?? null,
    pledge: network.forms.find((f) => f.subject === 'office' && f.purpose === 'pledge') ?? null,
  };
}

/** What an application's forms are prefilled from: the office and manager it names, dated today. */
export function applicationSources(input: {
  officeName: string;
  address: string;
  postalCode?: string | null;
  phone: string;
  managerName: string;
}): DraftSources {
  return {
    office: { name: input.officeName, address: input.address, postalCode: input.postalCode || null, phone: input.phone },
    manager: { name: input.managerName },
    user: { name: input.managerName },
    issueDate: todayInJapan(),
  };
}

/** Which field of the application's own record fills a form field through the prefill (office.name → officeName). */
export const TOP_LEVEL_OF_SOURCE: Record<string, string> = {
  'office.name': 'officeName',
  'office.address': 'address',
  'office.postalCode': 'postalCode',
  'office.phone': 'phone',
  'manager.name': 'managerName',
  'user.name': 'managerName',
};

/**
 * The form's fields the applicant fills in beside the office and manager (those are prefilled from them,
 * and the date is the day of the application): what the public page shows under the application form.
 */
export function ownFields(form: FormDefinition): FormDefinition['fields'] {
  return form.fields.filter((f) => {
    const source = form.prefill[f.key];
    return !(typeof source === 'string' && (source === 'issueDate' || source in TOP_LEVEL_OF_SOURCE));
  });
}
