import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ErrorPage, ErrorPageContent } from '../common/errors/error-page';
import { WebViews } from './web.views';

/** DomainErrorFilter's answer to a page: the error view in the UI's layout, listing each invalid field, with a way back. */
@Injectable()
export class WebErrorPage extends ErrorPage {
  constructor(private readonly views: WebViews) {
    super();
  }

  send(reply: FastifyReply, status: number, content: ErrorPageContent): void {
    this.views.send(reply, status, 'error', { ...content, back: backTo(reply) });
  }
}

/** The page the browser came from, when it is one of ours and not this one: where 「前のページへ戻る」 leads. */
function backTo(reply: FastifyReply): string | null {
  const { referer, host } = reply.request.headers;
  if (!referer || !host) return null;
  try {
    const url = new URL(referer);
    if (url.host !== host || url.pathname.startsWith('/api/')) return null;
    const path = `${url.pathname}${url.search}`;
    return path === reply.request.url ? null : path;
  } catch {
    return null;
  }
}
