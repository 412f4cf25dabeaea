import { FieldError } from '../common/errors/domain-error';
import { SignerRole } from '../networks/catalogue.types';
import { SignerDefaults } from './signer-defaults';

/** What the office typed into the signing-request form, shown again with each problem beside its field. */
export interface SigningFormState {
  rows: Record<'name' | 'relation' | 'method' | 'email' | 'accessCode', string>[];
  ordered: boolean;
  /** Paths in the form's own row numbers (`signers[2].email`), or `signers` for the form as a whole. */
  errors: FieldError[];
}

const ROW_FIELDS = ['name', 'relation', 'method', 'email', 'accessCode'] as const;
const ROW_PATH = /^signers\[(\d+)\]/;

/**
 * The signers are checked without the rows left blank, so their errors count rows among the named ones:
 * `kept[k]` is the form row of the k-th named signer.
 */
export function errorsOnFormRows(errors: FieldError[], kept: number[]): FieldError[] {
  return errors.map((e) => ({
    ...e,
    path: e.path.replace(ROW_PATH, (whole, k: string) => (kept[Number(k)] === undefined ? whole : `signers[${kept[Number(k)]}]`)),
  }));
}

/** A row as the form shows it; `chosen` when the office picked the 方法 itself (else the form's 「自動」 is selected). */
export interface SignerRowValues extends SignerDefaults {
  accessCode: string;
  chosen: boolean;
}

/**
 * Each role's row as the form shows it: what was typed (after an error, the 暗証番号 included) or what is known
 * of the people, and the messages for each of its fields.
 */
export function signingFormRoles(roles: SignerRole[], prefill: SignerDefaults[], state: SigningFormState | null) {
  return roles.map((role, i) => {
    const typed = state?.rows[i];
    const email = typed?.email ?? '';
    const chosen = typed?.method === 'email' || typed?.method === 'in_person' ? typed.method : null;
    const values: SignerRowValues | undefined = state
      ? {
          name: typed?.name ?? '',
          relation: typed?.relation ?? '',
          email,
          method: chosen ?? (email.trim() ? 'email' : 'in_person'),
          chosen: chosen !== null,
          accessCode: typed?.accessCode ?? '',
        }
      : prefill[i] && { ...prefill[i], accessCode: '', chosen: false };
    const error = Object.fromEntries(
      ROW_FIELDS.map((key) => [
        key,
        (state?.errors ?? [])
          .filter((e) => e.path === `signers[${i}].${key}`)
          .map((e) => e.message)
          .join(' '),
      ]),
    );
    return { ...role, prefill: values, error, hasRelation: role.kind === 'family' || role.kind === 'proxy' };
  });
}

/** The problems of the form as a whole (a required role left blank, nobody named). */
export function formWideErrors(state: SigningFormState | null): FieldError[] {
  return (state?.errors ?? []).filter((e) => !ROW_PATH.test(e.path));
}
