import Handlebars from 'handlebars';
import { NetworksService } from './networks.service';

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
): Handlebars.SafeString {
  const html = networks
    .formHtml(networkId, formId, data)
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, '')
    .replace(/\sstyle="[^"]*"/gi, '');
  // The templates escape every value ({{ }} only, checked when they load): this HTML is the engine's, not a person's.
  return new Handlebars.SafeString(html);
}
