import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ErrorPage, ErrorPageContent } from '../common/errors/error-page';
import { WebViews } from './web.views';

/** DomainErrorFilter's answer to a page: the error view in the UI's layout, listing each invalid field. */
@Injectable()
export class WebErrorPage extends ErrorPage {
  constructor(private readonly views: WebViews) {
    super();
  }

  send(reply: FastifyReply, status: number, content: ErrorPageContent): void {
    this.views.send(reply, status, 'error', { ...content });
  }
}
