import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Public, Roles, User } from '../common/auth/current-user';
import { DOCUMENT_CSP_HEADER } from '../common/content-security';
import { DomainError } from '../common/errors/domain-error';
import { projectRoot } from '../common/project-root';
import { Origin, RequestOrigin } from '../common/request-origin';
import { VisitsService } from '../visits/visits.service';
import { WebViews } from './web.views';

/** The service worker, at /visit/sw.js so that its scope can be /visit (docs/visits.md). */
const SERVICE_WORKER = readFileSync(join(projectRoot(), 'public', 'visit-sw.js'), 'utf8');

/** The sheet as printed, offline: a shell that visit-printed.js fills from the device's encrypted store. */
const PRINTED_SHELL = `<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>印刷される書類（A4）</title></head>
<body><main><p id="printed-status">書類を読み込んでいます…</p></main>
<script src="/assets/vendor/idb/umd.js"></script><script src="/assets/visit-store.js"></script><script src="/assets/visit-printed.js"></script></body></html>`;

const MANIFEST = {
  name: '連携様式サービス 訪問',
  short_name: '訪問',
  lang: 'ja',
  start_url: '/visit',
  scope: '/visit',
  display: 'standalone',
  background_color: '#ffffff',
  theme_color: '#1d4f91',
  icons: [
    { src: '/assets/visit-icon-192.png', sizes: '192x192', type: 'image/png' },
    { src: '/assets/visit-icon-512.png', sizes: '512x512', type: 'image/png' },
  ],
};

/**
 * Home visits in the web UI: 「訪問に持ち出す」 on a document's page, and /visit, the installable app that works
 * offline (its page, service worker, manifest and printed-sheet shell; the data comes from /api/visits).
 */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller()
export class VisitPagesController {
  constructor(
    private readonly views: WebViews,
    private readonly visits: VisitsService,
  ) {}

  @Post('documents/:id/visit')
  async take(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    try {
      await this.visits.take(user, id, origin);
    } catch (error) {
      // Nothing to take (no in-person signer left, not issued): said on the document's page.
      if (error instanceof DomainError && error.code === 'INVALID_STATE')
        return reply.redirect(`/documents/${id}?message=${encodeURIComponent(`訪問に持ち出せません: ${error.message}`)}`, 303);
      throw error;
    }
    reply.redirect(
      `/documents/${id}?message=${encodeURIComponent('訪問に持ち出しました。タブレットで「訪問」（/visit）を開いてください')}`,
      303,
    );
  }

  /** The app's page: no office menu (the signer holds the tablet); everything else is drawn by /assets/visit.js. */
  @Get('visit')
  page(@Res() reply: FastifyReply): void {
    this.views.send(reply, 200, 'visit', { title: '訪問先での署名', kiosk: true, empty: {}, manifest: '/visit/manifest.webmanifest' });
  }

  @Get('visit/printed')
  printed(@Res() reply: FastifyReply): void {
    reply.type('text/html; charset=utf-8').headers(DOCUMENT_CSP_HEADER).header('Cache-Control', 'no-store').send(PRINTED_SHELL);
  }

  @Public()
  @Get('visit/sw.js')
  serviceWorker(@Res() reply: FastifyReply): void {
    reply
      .type('text/javascript; charset=utf-8')
      .header('Service-Worker-Allowed', '/visit')
      .header('Cache-Control', 'no-cache')
      .send(SERVICE_WORKER);
  }

  /** Browsers fetch a manifest without cookies. */
  @Public()
  @Get('visit/manifest.webmanifest')
  manifest(@Res() reply: FastifyReply): void {
    reply.type('application/manifest+json; charset=utf-8').send(JSON.stringify(MANIFEST));
  }
}
