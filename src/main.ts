import 'reflect-metadata';
import { AppModule } from './app.module';
import { createHttpApp } from './app.setup';
import { loadConfig } from './config/env';
import { runOrExplain } from './common/run-or-explain';

void runOrExplain('api', async () => {
  const config = loadConfig();
  const app = await createHttpApp(AppModule, { bufferLogs: true, abortOnError: false });
  // Every interface: in docker-compose the API is reached from outside its container.
  await app.listen(config.port, '0.0.0.0');
  return `API listening on ${config.publicUrl}`;
});
