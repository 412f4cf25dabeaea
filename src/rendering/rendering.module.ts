import { Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { NetworksModule } from '../networks/networks.module';
import { killOrphanedBrowsers } from './browser-processes';
import { BrowserPool } from './browser.pool';
import { BROWSER_POOL, FormPdfService } from './form-pdf.service';

/** Chromium and form printing; imported only by processes that own a browser (worker, CLI). */
@Module({
  imports: [NetworksModule],
  providers: [
    {
      provide: BROWSER_POOL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // A browser left by a process that died before it (a killed worker whose Chromium hung) goes first.
        const killed = killOrphanedBrowsers();
        if (killed.length) new Logger('BrowserPool').warn(`killed ${killed.length} stale Chromium (pid ${killed.join(', ')})`);
        return new BrowserPool({ executablePath: config.chromiumPath, size: config.renderPoolSize });
      },
    },
    FormPdfService,
  ],
  exports: [FormPdfService, BROWSER_POOL],
})
export class RenderingModule {}
