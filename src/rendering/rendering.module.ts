import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { NetworksModule } from '../networks/networks.module';
import { BrowserPool } from './browser.pool';
import { BROWSER_POOL, FormPdfService } from './form-pdf.service';

/** Chromium and form printing; imported only by processes that own a browser (worker, CLI). */
@Module({
  imports: [NetworksModule],
  providers: [
    {
      provide: BROWSER_POOL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new BrowserPool({ executablePath: config.chromiumPath, size: config.renderPoolSize }),
    },
    FormPdfService,
  ],
  exports: [FormPdfService, BROWSER_POOL],
})
export class RenderingModule {}
