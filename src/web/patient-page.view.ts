import { CurrentUser } from '../common/auth/current-user';
import { FieldError } from '../common/errors/domain-error';
import { todayInJapan } from '../common/japan-date';
import { SHEET_LABELS } from '../custody/custody.types';
import { PatientRecord } from '../rights/patient-record.service';
import {
  RIGHTS_CHANNEL_LABELS,
  RIGHTS_KIND_LABELS,
  RIGHTS_STATUS_LABELS,
  WITHDRAWAL_CHANNEL_LABELS,
  WithdrawalChannel,
} from '../rights/rights.types';
import { STATUS_LABELS } from './office.controller';

/** A form of the page that came back with problems: which one, what was typed, what is wrong. */
export interface FormProblem {
  form: string;
  values: Record<string, unknown>;
  errors: FieldError[];
  message: string;
}

const options = (labels: Record<string, string>, selected: unknown) =>
  Object.entries(labels).map(([value, label]) => ({ value, label, selected: value === selected }));

/** One form's state: open (it came back), what was typed, each field's message. */
function formState(problem: FormProblem | undefined, form: string, defaults: Record<string, unknown> = {}) {
  const mine = problem?.form === form ? problem : undefined;
  const error: Record<string, string> = {};
  for (const e of mine?.errors ?? []) error[e.path] ??= e.message;
  return { open: Boolean(mine), values: { ...defaults, ...(mine?.values ?? {}) }, error, message: mine?.message ?? null };
}

/** The patient's page (views/patient.hbs): kept to plain sections, so that other pages can grow beside it. */
export function patientPageModel(record: PatientRecord, user: CurrentUser, problem?: FormProblem, message?: string) {
  const { patient } = record;
  const today = todayInJapan();
  const isManager = user.role === 'office_manager';
  const erased = patient.erasedAt !== null;
  const numberOf = new Map(record.documents.map((d) => [d.id, d.number]));
  const documents = record.documents.map((d) => {
    const form = formState(problem, `withdrawal-${d.id}`, { receivedAt: today });
    return {
      ...d,
      statusLabel: STATUS_LABELS[d.status] ?? d.status,
      revoked: d.status === 'revoked',
      withdrawable: d.isConsent && d.status === 'signed',
      withdrawal: { ...form, channels: options(WITHDRAWAL_CHANNEL_LABELS, form.values.receivedVia) },
    };
  });
  const withdrawals = record.withdrawals.map((w) => {
    const doc = record.documents.find((d) => d.id === w.documentId);
    const receipts = (doc?.exemplars ?? []).filter((e) => e.sheet === 'withdrawal-receipt');
    return {
      ...w,
      number: numberOf.get(w.documentId),
      viaLabel: WITHDRAWAL_CHANNEL_LABELS[w.receivedVia as WithdrawalChannel],
      receiptReady: w.receiptSealedAt !== null && receipts.length > 0,
      receipts: receipts.map((e) => ({ code: e.code, label: `${SHEET_LABELS[e.sheet]} ${e.mark}`, ready: e.pdfSha256 !== null })),
    };
  });
  const correctable = record.documents.filter((d) => d.status !== 'erased' && d.status !== 'revoked' && d.status !== 'withdrawn');
  const requests = record.requests.map((r) => {
    const form = formState(problem, `answer-${r.id}`);
    return {
      ...r,
      kindLabel: RIGHTS_KIND_LABELS[r.kind],
      viaLabel: RIGHTS_CHANNEL_LABELS[r.receivedVia],
      statusLabel: RIGHTS_STATUS_LABELS[r.status],
      open: r.status === 'open',
      isErasure: r.kind === 'erasure',
      isSuspension: r.kind === 'suspension',
      corrections:
        r.kind === 'correction' && r.status === 'open' ? correctable.map((d) => ({ id: d.id, number: d.number, title: d.formTitle })) : [],
      answer: form,
    };
  });
  const requestForm = formState(problem, 'request', { receivedAt: today });
  const openErasures = requests.filter((r) => r.isErasure && r.open);
  const erasureForm = formState(problem, 'erasure', { rightsRequestId: openErasures[0]?.id });
  return {
    title: erased ? '消去済みの患者' : `${patient.name} さん（患者）`,
    message,
    problem: problem?.message ?? null,
    today,
    isManager,
    patient,
    erased,
    family: patient.family,
    documents,
    withdrawals,
    requests,
    overdue: requests.filter((r) => r.overdue).length,
    requestForm: {
      ...requestForm,
      kinds: options(RIGHTS_KIND_LABELS, requestForm.values.kind),
      channels: options(RIGHTS_CHANNEL_LABELS, requestForm.values.receivedVia),
    },
    hold: record.hold,
    holdForm: formState(problem, 'hold'),
    erasure: { ...erasureForm, requests: openErasures.map((r) => ({ ...r, selected: r.id === erasureForm.values.rightsRequestId })) },
    erasures: record.erasures.map((e) => ({ ...e, documents: e.documentNumbers.join('、') })),
  };
}
