import cookie from '@fastify/cookie';
import formBody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { join } from 'node:path';
import qs from 'qs';
import { kioskHook } from './web/kiosk';
import { requestLog } from './common/request-log';
import { API_DOCS_POLICY, PAGE_POLICY, policyFor } from './common/content-security';
import { secureHeaders } from './common/secure-headers';
import { projectRoot } from './common/project-root';
import { loadConfig } from './config/env';
import { usePasswordHashCost } from './accounts/passwords';
import { collectUploads, MAX_UPLOAD_BYTES } from './common/uploads';
import { RequestValidationPipe, useNestForConstraints } from './common/validation/validation.pipe';

const MAX_JSON_BYTES = 1024 * 1024;
// 8 MB: a confirmed roster (up to 5 MB) comes back base64-encoded in the confirmation form.
const MAX_FORM_BYTES = 8 * 1024 * 1024;

/**
 * The HTTP app, shared by main.ts, the e2e tests and the bench, so tests exercise the app as it runs.
 * Fastify rather than Express: the signing page's latency target is below what NestJS on Express can
 * serve at all on this machine (see docs/benchmarks.md).
 */
export async function createHttpApp(module: Type, options: NestApplicationOptions = {}): Promise<NestFastifyApplication> {
  // The client's address is the socket's, unless TRUST_PROXY names the proxies whose X-Forwarded-For counts.
  const config = loadConfig();
  usePasswordHashCost(config.passwordHashCost);
  const adapter = new FastifyAdapter({ trustProxy: config.trustProxy ?? false, bodyLimit: MAX_JSON_BYTES });
  // Fastify parses JSON itself; form bodies are registered below (Nest's own would not nest names).
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { ...options, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // Every body and query, API and web pages alike; its 400s go through DomainErrorFilter (JSON or a page).
  app.useGlobalPipes(new RequestValidationPipe());
  useNestForConstraints(app);
  await app.register(cookie);
  // Nested names (members[0][email]) come back as arrays and objects; qs's default of 20 array items is too few.
  await app.register(formBody, { bodyLimit: MAX_FORM_BYTES, parser: (body) => qs.parse(body, { arrayLimit: 1000, parameterLimit: 5000 }) });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    onFile: collectUploads,
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 },
  });
  // helmet's headers, taken once (common/secure-headers.ts), with our content-security policy for the path
  // (common/content-security.ts): none for pages allows inline scripts; only Swagger UI's route does. Set as
  // the reply's headers, not the raw response's: Node then writes them all in one pass, as for a bare reply.
  const helmetHeaders = Object.fromEntries(secureHeaders({ contentSecurityPolicy: false }));
  const headersFor = new Map(
    [PAGE_POLICY, API_DOCS_POLICY].map((policy) => [policy, { ...helmetHeaders, 'Content-Security-Policy': policy }]),
  );
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      reply.headers(headersFor.get(policyFor(request.url))!);
      done();
    })
    // The office's device while a signer holds it: nothing but the signing screen (web/kiosk.ts).
    .addHook('onRequest', kioskHook)
    .addHook('onResponse', requestLog(app.get(Logger), config.logLevel));
  app.useStaticAssets({ root: join(projectRoot(), 'public'), prefix: '/assets/' });
  // The QR decoder for the receipt page's camera scanning and the signature pad, from our own origin.
  app.useStaticAssets({ root: join(projectRoot(), 'node_modules', 'jsqr', 'dist'), prefix: '/assets/vendor/jsqr/', decorateReply: false });
  app.useStaticAssets({
    root: join(projectRoot(), 'node_modules', 'signature_pad', 'dist'),
    prefix: '/assets/vendor/signature_pad/',
    decorateReply: false,
  });
  // IndexedDB with promises, for the home visit's offline app (/visit).
  app.useStaticAssets({ root: join(projectRoot(), 'node_modules', 'idb', 'build'), prefix: '/assets/vendor/idb/', decorateReply: false });
  const openApi = new DocumentBuilder()
    .setTitle('renkei-forms')
    .setDescription('医療介護連携ネットワークの別紙様式: 様式の一覧、入力の検証、PDF作成')
    .setVersion('0.1.0')
    // A log-in session's token, or an office's or 事務局's API key (rk_…, see docs/integrations.md).
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A session token (POST /api/auth/login) or an API key (rk_…)' })
    .addCookieAuth('renkei_session')
    .addTag(
      'integrations',
      'API keys (Authorization: Bearer rk_…) and webhooks signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature v1 = base64 HMAC-SHA256 of "id.timestamp.body" with the whsec_ secret). Events and their data: docs/integrations.md',
    )
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/docs-json',
  });
  return app;
}
