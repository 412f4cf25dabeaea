import { CSRF_FIELD } from '../accounts/csrf';

const FORM_TAG_OR_HEAD_END = /<form\b[^>]*>|<\/head>/gi;
const POSTS = /\bmethod\s*=\s*["']?post\b/i;
const INPUT_OPEN = `<input type="hidden" name="${CSRF_FIELD}" value="`;
const META_OPEN = '<meta name="csrf-token" content="';

/**
 * A page cut where the browser's CSRF token goes: after every posting form's opening tag (a hidden input), and
 * in a meta tag before the head's end (for scripts). Joined with the token (base64url: nothing to escape),
 * the parts are the page to send; a kept page keeps its parts and joins them with each request's token.
 */
export function csrfSlots(page: string): string[] {
  const parts: string[] = [];
  let from = 0;
  let carry = '';
  let headEnded = false;
  for (const match of page.matchAll(FORM_TAG_OR_HEAD_END)) {
    const tag = match[0];
    const at = match.index;
    if (tag.toLowerCase() === '</head>') {
      if (headEnded) continue;
      headEnded = true;
      parts.push(carry + page.slice(from, at) + META_OPEN);
      carry = '">\n';
      from = at;
    } else if (POSTS.test(tag)) {
      parts.push(carry + page.slice(from, at + tag.length) + INPUT_OPEN);
      carry = '">';
      from = at + tag.length;
    }
  }
  parts.push(carry + page.slice(from));
  return parts;
}

/** The page with the token in every slot. */
export function withCsrfToken(page: string, token: string): string {
  return csrfSlots(page).join(token);
}
