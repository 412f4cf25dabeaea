import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { OfficeContact } from '../signing/family-contact.service';
import { guardLinkPage } from './signing-page.view';
import { WebViews } from './web.views';

/**
 * The family's links after signing (their copy's download, their withdrawal), behind the signer's 暗証番号
 * where they had one: the page asks for it first; a browser that passed keeps a secret in a cookie scoped to
 * that one link (only its hash is stored, as on the signing page).
 */
const FAMILY_ACCESS_COOKIE = 'renkei_family';

export function familyAccessSecret(request: FastifyRequest): string | null {
  return (request.cookies?.[FAMILY_ACCESS_COOKIE] as string | undefined) ?? null;
}

export function grantFamilyAccess(reply: FastifyReply, linkPath: string, secret: string): void {
  reply.setCookie(FAMILY_ACCESS_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: reply.request.protocol === 'https',
    path: linkPath,
  });
}

export function showFamilyPin(views: WebViews, reply: FastifyReply, status: number, linkPath: string, error?: string): void {
  views.send(reply, status, 'family-pin', { title: '暗証番号の入力', action: `${linkPath}/pin`, error: error ?? null });
}

/**
 * A family link that cannot be used gets a page saying why, titled for its page and naming the office to call;
 * one behind a 暗証番号 not yet given asks for it.
 */
export async function guardFamilyLink(
  views: WebViews,
  reply: FastifyReply,
  linkPath: string,
  page: { title: string; contact: () => Promise<OfficeContact | null>; nextSteps?: Record<string, string> },
  work: () => Promise<void>,
): Promise<void> {
  await guardLinkPage(views, reply, page, async () => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'ACCESS_CODE_REQUIRED') return showFamilyPin(views, reply, 401, linkPath);
      if (error.code === 'ACCESS_CODE_WRONG') return showFamilyPin(views, reply, 401, linkPath, error.message);
      throw error;
    }
  });
}
