import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { join } from 'node:path';
import { projectRoot } from './common/project-root';

/** HTTP concerns shared by main.ts and the e2e tests, so tests exercise the app as it runs. */
export function configureApp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.set('trust proxy', 'loopback');
  app.use(cookieParser());
  app.useBodyParser('json', { limit: '1mb' });
  // 8 MB: a confirmed roster (up to 5 MB) comes back base64-encoded in the confirmation form.
  app.useBodyParser('urlencoded', { limit: '8mb', extended: true });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI needs inline scripts; the rest of the UI has none.
          'script-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'frame-src': ["'self'"],
          'object-src': ["'self'"],
          // Offices often run this on a plain-HTTP intranet address; upgrading would break every form post.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.useStaticAssets(join(projectRoot(), 'public'), { prefix: '/assets/' });
  // The QR decoder for the receipt page's camera scanning, served from our own origin.
  app.useStaticAssets(join(projectRoot(), 'node_modules', 'jsqr', 'dist'), { prefix: '/assets/vendor/jsqr/' });
  app.useStaticAssets(join(projectRoot(), 'node_modules', 'signature_pad', 'dist'), { prefix: '/assets/vendor/signature_pad/' });
  const openApi = new DocumentBuilder()
    .setTitle('renkei-forms')
    .setDescription('医療介護連携ネットワークの別紙様式: 様式の一覧、入力の検証、PDF作成')
    .setVersion('0.1.0')
    .addBearerAuth()
    .addCookieAuth('renkei_session')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/docs-json',
  });
  return app;
}
