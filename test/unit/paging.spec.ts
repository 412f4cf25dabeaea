import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_LIST_PAGE_SIZE, pageOf, setPageHeaders } from '../../src/common/validation/paging';

function headersFor(url: string, at: ReturnType<typeof pageOf>, total: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const reply = {
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
  };
  setPageHeaders({ url } as FastifyRequest, reply as unknown as FastifyReply, at, total);
  return headers;
}

describe('a list API page', () => {
  it('turns page and limit into an offset, the size capped at the maximum and the default when absent', () => {
    expect(pageOf(undefined, undefined, 500)).toEqual({ page: 1, limit: 500, offset: 0 });
    expect(pageOf(3, 20, 500)).toEqual({ page: 3, limit: 20, offset: 40 });
    expect(pageOf(2, 10_000, 500).limit).toBe(MAX_LIST_PAGE_SIZE);
    expect(pageOf(2, 300, 100, 200)).toEqual({ page: 2, limit: 200, offset: 200 });
  });

  it('tells the total and the neighbouring pages, keeping the filters of the request', () => {
    const middle = headersFor('/api/registrations?status=open&page=2&limit=10', pageOf(2, 10, 500), 35);
    expect(middle['X-Total-Count']).toBe('35');
    expect(middle.Link).toBe(
      [
        '</api/registrations?status=open&page=1&limit=10>; rel="first"',
        '</api/registrations?status=open&page=1&limit=10>; rel="prev"',
        '</api/registrations?status=open&page=3&limit=10>; rel="next"',
        '</api/registrations?status=open&page=4&limit=10>; rel="last"',
      ].join(', '),
    );
    // Nothing at all: one (empty) page, no next.
    expect(headersFor('/api/documents', pageOf(undefined, undefined, 500), 0)).toEqual({
      'X-Total-Count': '0',
      Link: '</api/documents?page=1&limit=500>; rel="first", </api/documents?page=1&limit=500>; rel="last"',
    });
    // Past the end: prev leads back to the last page.
    expect(headersFor('/api/documents?page=9', pageOf(9, 500, 500), 600).Link).toContain('</api/documents?page=2&limit=500>; rel="prev"');
  });
});
