import type { FastifyRequest } from 'fastify';

/** Where the browser is: WebAuthn binds a passkey to this host (rpID) and checks the page's origin. */
export interface RelyingParty {
  id: string;
  origin: string;
}

/** This site's own origin as the browser sees it (protocol and host; behind TRUST_PROXY, as forwarded). */
export function siteOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The relying party of this request: the host the page was served from, without its port. */
export function relyingPartyOf(request: FastifyRequest): RelyingParty {
  return { id: request.hostname, origin: siteOrigin(request) };
}
