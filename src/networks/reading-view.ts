import Handlebars from 'handlebars';
import { NetworksService } from './networks.service';

/** Documents read at the same time (a busy day's open links); a version's text never changes, so it is made once. */
const CACHED_VERSIONS = 500;
const cache = new Map<string, Handlebars.SafeString>();

/**
 * The document's own text for reading on a phone: the very HTML the PDF is printed from (same template, same
 * data), without the sheet's print styling. The page's style sheet (/assets/app.css, `.reading`) reflows it;
 * the template's inline <style> and style attributes would be refused by the page's content-security policy
 * anyway, and are taken out so that nothing but the printed text remains.
 */
export function readingHtml(
  networks: NetworksService,
  networkId: string,
  formId: string,
  data: Record<string, unknown>,
  /** The document version the data is, when known: the key, instead of the data written out on every request. */
  versionId?: string,
): Handlebars.SafeString {
  const key = `${networkId}\u0000${formId}\u0000${versionId ?? JSON.stringify(data)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const html = networks
    .formHtml(networkId, formId, data)
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, '')
    .replace(/\sstyle="[^"]*"/gi, '');
  // The templates escape every value ({{ }} only, checked when they load): this HTML is the engine's, not a person's.
  const reading = new Handlebars.SafeString(html);
  if (cache.size >= CACHED_VERSIONS) cache.delete(cache.keys().next().value!);
  cache.set(key, reading);
  return reading;
}
