/**
 * The content-security policies. Every page runs only scripts and style sheets from our own origin
 * (/assets): no inline script, event-handler attribute or inline style is ever executed or applied, so markup
 * slipped into a page does nothing. Two looser policies are scoped to where they are needed:
 * - a form's sheet as printed (a preview in an iframe, the signing page's document), whose CSS is inline in the
 *   document and in the networks' templates: inline styles, still no inline script;
 * - Swagger UI (/api/docs), which is built with inline scripts and styles.
 */
type Directives = Record<string, string[]>;

const PAGES: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'frame-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  // No upgrade-insecure-requests: offices often run this on a plain-HTTP intranet address; upgrading would
  // break every form post.
};

const DOCUMENTS: Directives = { ...PAGES, 'style-src': ["'self'", "'unsafe-inline'"] };

const API_DOCS: Directives = { ...PAGES, 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'"] };

function serialize(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

export const PAGE_POLICY = serialize(PAGES);
export const DOCUMENT_POLICY = serialize(DOCUMENTS);
export const API_DOCS_POLICY = serialize(API_DOCS);

/** Swagger UI and its assets; every other path gets PAGE_POLICY (a form's sheet sets DOCUMENT_POLICY itself). */
export function policyFor(url: string): string {
  return url === '/api/docs' || url.startsWith('/api/docs/') || url.startsWith('/api/docs?') ? API_DOCS_POLICY : PAGE_POLICY;
}

/** The header a form's sheet, served as a page of its own, answers with. */
export const DOCUMENT_CSP_HEADER = { 'Content-Security-Policy': DOCUMENT_POLICY };
