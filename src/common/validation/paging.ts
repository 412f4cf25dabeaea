import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IsOptionalText } from './decorators';
import { Label } from './label';

/** The most rows one page of a list API answers (`limit`); documented in OpenAPI and docs/api.md. */
export const MAX_LIST_PAGE_SIZE = 500;
/** The highest page number asked for (a bound, not a promise: a page past the end is empty). */
const MAX_PAGE_NUMBER = 1_000_000;

/** A query string's number (`?limit=50`) as a number; anything else is left for the checks to refuse. */
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

/** `limit`: rows per page, 1 to `max`, `fallback` when absent. */
export function PageSize({ max, fallback, label = '件数', about = 'Rows per page' }: PageSizeOptions): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, minimum: 1, maximum: max, default: fallback, description: `${about} (at most ${max})` }),
    Label(label),
    Transform(toInt),
    IsOptionalText(),
    IsInt(),
    Min(1),
    Max(max),
  );
}

export interface PageSizeOptions {
  max: number;
  fallback: number;
  label?: string;
  about?: string;
}

/** `page`: which page, 1 is the first. */
export function PageIndex({ label = 'ページ', about = 'Page (1 is the first)' } = {}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, minimum: 1, default: 1, description: about }),
    Label(label),
    Transform(toInt),
    IsOptionalText(),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_NUMBER),
  );
}

/** `?limit=&page=` of a list API: at most MAX_LIST_PAGE_SIZE rows, as many when not given. */
export class ListPageQueryDto {
  @PageSize({ max: MAX_LIST_PAGE_SIZE, fallback: MAX_LIST_PAGE_SIZE })
  limit?: number;

  @PageIndex()
  page?: number;
}

export interface PageRequest {
  page: number;
  limit: number;
  offset: number;
}

/** A page number and size as an offset, the size capped at `max`. */
export function pageOf(page: number | undefined, limit: number | undefined, fallback: number, max = MAX_LIST_PAGE_SIZE): PageRequest {
  const size = Math.min(limit || fallback, max);
  const number = page || 1;
  return { page: number, limit: size, offset: (number - 1) * size };
}

/**
 * A list API that has always answered a bare array keeps it (its clients keep working) and tells the page in
 * headers: `X-Total-Count` (every matching row) and `Link` (RFC 8288: first, prev, next, last), each link this
 * request's own address with only `page` and `limit` changed.
 */
export function setPageHeaders(request: FastifyRequest, reply: FastifyReply, at: PageRequest, total: number): void {
  const last = Math.max(1, Math.ceil(total / at.limit));
  const url = new URL(request.url, 'http://local');
  const href = (page: number) => {
    url.searchParams.set('page', String(page));
    url.searchParams.set('limit', String(at.limit));
    return `<${url.pathname}${url.search}>`;
  };
  const links = [`${href(1)}; rel="first"`];
  if (at.page > 1) links.push(`${href(Math.min(at.page - 1, last))}; rel="prev"`);
  if (at.page < last) links.push(`${href(at.page + 1)}; rel="next"`);
  links.push(`${href(last)}; rel="last"`);
  reply.header('X-Total-Count', String(total)).header('Link', links.join(', '));
}

/** The two headers as OpenAPI describes them (`@ApiOkResponse({ headers: PAGE_HEADERS_DOC })`). */
export const PAGE_HEADERS_DOC = {
  'X-Total-Count': { description: 'How many rows match in all (every page)', schema: { type: 'integer' } },
  Link: { description: 'RFC 8288 links to the first, prev, next and last pages (same filters, same limit)', schema: { type: 'string' } },
};
