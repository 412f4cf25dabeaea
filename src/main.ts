import 'reflect-metadata';
import { AppModule } from './app.module';
import { createHttpApp } from './app.setup';
import { loadConfig } from './config/env';
import { runOrExplain } from './common/run-or-explain';
import { exitIfShutdownHangs } from './common/shutdown-deadline';

void runOrExplain('api', async () => {
  const config = loadConfig();
  const app = await createHttpApp(AppModule, { bufferLogs: true, abortOnError: false });
  // Every interface: in docker-compose the API is reached from outside its container.
  await app.listen(config.port, '0.0.0.0');
  exitIfShutdownHangs();
  return `API listening on ${config.publicUrl}`;
});
