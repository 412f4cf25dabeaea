import type { FastifyReply } from 'fastify';
import type Handlebars from 'handlebars';
import { DOMAIN_ERROR_STATUS, DomainError } from '../common/errors/domain-error';
import { SignerRole } from '../networks/catalogue.types';
import { OfficeContact } from '../signing/family-contact.service';
import { SignatureInput, SigningDocument } from '../signing/signing.types';
import { isChecked, signatureFields } from '../signing/signing.validation';
import { WebViews } from './web.views';

/** Why a link cannot be used: each gets a page saying so, with its status. */
const LINK_ERRORS = [
  'LINK_INVALID',
  'LINK_EXPIRED',
  'REQUEST_CLOSED',
  'ALREADY_SIGNED',
  'ACCESS_LOCKED',
  'NOT_YOUR_TURN',
  'ACCESS_CODE_REQUIRED',
  'DOCUMENT_RETIRED',
  'PDF_NOT_READY',
];

export type FieldErrors = Array<{ path: string; message: string }>;

/** The signing page, for a link (on the signer's phone) or in person (on the office's device). */
export function showSignPage(
  views: WebViews,
  reply: FastifyReply,
  status: number,
  page: {
    document: SigningDocument;
    role: SignerRole;
    signer: { name: string; relation: string | null };
    urls: Record<string, string | null>;
    /** The document's text to read (reading-view.ts). */
    reading: Handlebars.SafeString;
    inPerson?: boolean;
    /** The office's device handed to the signer: no office menu, no way away but back to staff with a password. */
    kiosk?: boolean;
  },
  errors: FieldErrors = [],
  values: SignatureInput = {},
): void {
  const { document, role, signer, urls } = page;
  const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
  const contextOf = () => ({
    title: `${document.formTitle}への署名`,
    document,
    role,
    signer,
    urls,
    readingHtml: page.reading,
    inPerson: page.inPerson ?? false,
    kiosk: page.kiosk ?? false,
    errors,
    ...signatureFields(role),
    values: {
      relation: typeof values.relation === 'string' ? values.relation : (signer.relation ?? ''),
      proxyReason: typeof values.proxyReason === 'string' ? values.proxyReason : '',
      typedName: typeof values.typedName === 'string' ? values.typedName : '',
      // Kept across an error: the tick, the way of signing, and a drawn signature the service did not refuse.
      consent: isChecked(values.consent),
      signatureKind: values.signatureKind === 'drawn' || values.signatureKind === 'typed' ? values.signatureKind : '',
      signatureImage: errorOf('signatureImage') ? '' : keptImage(values.signatureImage),
    },
    error: {
      consent: errorOf('consent'),
      signature: errorOf('signatureImage') ?? errorOf('typedName') ?? errorOf('signatureKind'),
      relation: errorOf('relation'),
      proxyReason: errorOf('proxyReason'),
    },
  });
  const versionId = document.version.id;
  if (errors.length > 0 || Object.keys(values).length > 0 || !versionId) return views.send(reply, status, 'sign', contextOf());
  views.sendKept(reply, status, 'sign', keptPageKey(page, versionId), contextOf);
}

/**
 * Everything a signing page without errors is made of (the document's text by its version, which never
 * changes; the role's fields by its form, from the catalogue): two pages with the same key are the same page.
 */
export function keptPageKey(page: Parameters<typeof showSignPage>[3], versionId: string): string {
  const { document, role, signer, urls } = page;
  return [
    ...[document.id, document.number, document.status, document.networkId, document.formId, document.officeId, versionId],
    ...[document.formTitle, document.formNumber, role.role, role.label, role.kind, role.required, signer.name, signer.relation ?? ''],
    ...[page.inPerson ?? false, page.kiosk ?? false, ...Object.entries(urls).flat()],
  ].join('\u0000');
}

/** A drawn signature to put back on the pad: a PNG data URL of a sane size, or nothing. */
function keptImage(value: unknown): string {
  return typeof value === 'string' && value.length < 3_000_000 && /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(value) ? value : '';
}

export function showSignMessage(
  views: WebViews,
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
  help?: { contact: OfficeContact | null; nextStep: string },
): void {
  views.send(reply, status, 'sign-message', { title, message, help: help ?? null });
}

/** What a family member can do next, by why the link refused them (the page adds whom to call). */
const NEXT_STEPS: Record<string, string> = {
  ACCESS_LOCKED: 'お手数ですが、事業所にお電話で「リンクがロックされた」とお伝えください。確認のうえ、新しいリンクをお送りします。',
  LINK_EXPIRED: '署名や手続きが必要な場合は、事業所にお電話ください。新しいリンクをお送りするか、別の方法をご案内します。',
  LINK_INVALID: '最新のメールのリンクをお使いください。見当たらないときは、メールの送り主の事業所にお問い合わせください。',
  ALREADY_SIGNED: 'ほかにすることはありません。内容についてのご質問は、事業所にお問い合わせください。',
  REQUEST_CLOSED: '署名の必要があるかどうかは、事業所にお問い合わせください。',
  DOCUMENT_RETIRED: 'ご不明な点は、事業所にお問い合わせください。',
  NOT_YOUR_TURN: '順番が来ましたら、改めてメールでお知らせします。お急ぎの場合は、事業所にお問い合わせください。',
  ACCESS_CODE_REQUIRED: '暗証番号は、事業所からお電話等でお伝えしています。分からないときは、事業所にお問い合わせください。',
  PDF_NOT_READY: '少し待ってから、もう一度開いてください。続くときは、事業所にお問い合わせください。',
};

/**
 * A link that cannot be used gets a page saying why, with the right status, whom to call (the office behind
 * the link, with its phone) and what to do next: a family member never meets a dead end.
 */
export async function guardLinkPage(
  views: WebViews,
  reply: FastifyReply,
  page: { title: string; contact: () => Promise<OfficeContact | null>; nextSteps?: Record<string, string> },
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof DomainError) || !LINK_ERRORS.includes(error.code)) throw error;
    const contact = await page.contact();
    const nextStep = page.nextSteps?.[error.code] ?? NEXT_STEPS[error.code] ?? 'ご不明な点は、事業所にお問い合わせください。';
    showSignMessage(views, reply, DOMAIN_ERROR_STATUS[error.code], page.title, error.message, { contact, nextStep });
  }
}

/**
 * The A4 sheet as printed, on a phone: laid out at the device's width, each page scaled down to fit it (the
 * reader zooms in with two fingers), so nothing scrolls sideways. Without JavaScript the page still scrolls.
 */
const FIT_TO_PHONE = `<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { background: #fff; }</style>
<script src="/assets/fit-page.js" defer></script>`;

export function fitToPhone(html: string): string {
  return html.replace('<head>', `<head>${FIT_TO_PHONE}`);
}
