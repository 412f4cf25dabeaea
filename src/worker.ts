import 'reflect-metadata';
import { runOrExplain } from './common/run-or-explain';
import { exitIfShutdownHangs } from './common/shutdown-deadline';
import { loadConfig } from './config/env';
import { WorkerModule } from './worker.module';
import { createWorker } from './worker.setup';

void runOrExplain('worker', async () => {
  loadConfig();
  const worker = await createWorker(WorkerModule, { bufferLogs: true, abortOnError: false });
  worker.enableShutdownHooks();
  exitIfShutdownHangs();
  return 'worker running: queue processors started, Chromium owned here';
});
