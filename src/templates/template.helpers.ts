import Handlebars from 'handlebars';
import { toSeireki, toWareki } from '../common/japan-date';

const { escapeExpression, SafeString } = Handlebars;
const BLANK = '　　';

function isBlank(value: unknown): value is null | undefined | '' {
  return value === null || value === undefined || value === '';
}

/** 西暦 date, or the paper form's blank 「西暦　　年　　月　　日」 for handwriting. */
export function seireki(value: unknown): string {
  return isBlank(value) ? `西暦${BLANK}年${BLANK}月${BLANK}日` : `西暦 ${toSeireki(String(value))}`;
}

/** 和暦 date (令和8年4月1日, 令和元年…), or a blank 「令和　　年　　月　　日」. */
export function wareki(value: unknown): string {
  return isBlank(value) ? `令和${BLANK}年${BLANK}月${BLANK}日` : toWareki(String(value));
}

/** A date in the network's style (catalogue `dateStyle`). */
export function formDate(value: unknown, style: unknown): string {
  return style === 'wareki' ? wareki(value) : seireki(value);
}

/** 〒203-0053 from 2030053 or 203-0053; blank stays blank. */
export function postal(value: unknown): string {
  if (isBlank(value)) return '〒';
  const digits = String(value).normalize('NFKC').replace(/\D/g, '');
  return digits.length === 7 ? `〒${digits.slice(0, 3)}-${digits.slice(3)}` : `〒${String(value)}`;
}

/**
 * Hyphenates a Japanese phone number where the split is unambiguous (mobile, IP, toll-free, Tokyo and
 * Osaka); otherwise keeps the hyphens the writer chose, since area-code lengths vary by city.
 */
export function phone(value: unknown): string {
  if (isBlank(value)) return '';
  const text = String(value).normalize('NFKC').trim();
  const digits = text.replace(/\D/g, '');
  if (/^0[5789]0\d{8}$/.test(digits)) return `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;
  if (/^0120\d{6}$/.test(digits)) return `${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`;
  if (/^0[36]\d{8}$/.test(digits) && !text.includes('-')) {
    return `${digits.slice(0, 2)}-${digits.slice(2, 6)}-${digits.slice(6)}`;
  }
  return text;
}

/** A name with its ふりがな above it; both escaped. */
export function ruby(text: unknown, kana: unknown): Handlebars.SafeString {
  const base = escapeExpression(isBlank(text) ? '' : String(text));
  if (isBlank(kana)) return new SafeString(base);
  return new SafeString(`<ruby>${base}<rt>${escapeExpression(String(kana))}</rt></ruby>`);
}

/** Paper-style choice: every option printed, the chosen one circled (e.g. 男・女). */
export function choice(value: unknown, ...args: unknown[]): Handlebars.SafeString {
  const options = args.slice(0, -1).map(String);
  const html = options
    .map((option) => {
      const text = escapeExpression(option);
      return option === value ? `<span class="circled">${text}</span>` : `<span>${text}</span>`;
    })
    .join('・');
  return new SafeString(html);
}

/** Pads a list with empty rows so a paper table keeps its printed lines: {{#each (rows data.members 11)}}. */
export function rows(list: unknown, count: unknown): Array<Record<string, unknown> | null> {
  const items = Array.isArray(list) ? [...list] : [];
  while (items.length < Number(count)) items.push(null);
  return items;
}

export function eq(a: unknown, b: unknown): boolean {
  return a === b;
}

export function inc(value: unknown): number {
  return Number(value) + 1;
}

/** Fallback text for a value left blank, e.g. {{or data.fax "　"}}. */
export function or(...args: unknown[]): unknown {
  const values = args.slice(0, -1);
  return values.find((v) => !isBlank(v)) ?? '';
}

/**
 * The signature of a signer role, from the render's `signatures` (null until that role has signed), so
 * that `{{> signature role="patient"}}` prints the signature in place of the 印 box.
 */
export function signatureFor(role: unknown, options: Handlebars.HelperOptions): unknown {
  const signatures = (options?.data?.root as { signatures?: Record<string, unknown> } | undefined)?.signatures ?? {};
  return typeof role === 'string' ? signatures[role] ?? null : null;
}

export const TEMPLATE_HELPERS = { seireki, wareki, formDate, postal, phone, ruby, choice, rows, eq, inc, or, signatureFor };
