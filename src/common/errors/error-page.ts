import type { FastifyReply } from 'fastify';
import { FieldError } from './domain-error';

export interface ErrorPageContent {
  title: string;
  message: string;
  errors: FieldError[];
}

/**
 * How DomainErrorFilter answers a browser page (anything outside /api): in the web UI's own layout, which the
 * web module provides. Without it (no web module), the filter writes a plain page itself.
 */
export abstract class ErrorPage {
  abstract send(reply: FastifyReply, status: number, content: ErrorPageContent): void;
}
