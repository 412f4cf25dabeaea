import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { projectRoot } from '../common/project-root';
import { parseRoster } from './roster.parser';
import { ParsedRoster, RosterFileError } from './roster.types';

/**
 * Rosters are read on a worker thread, never on the API's event loop: a 5,000-row workbook takes exceljs half
 * a second of CPU, and every request of every user would wait for it. The thread has a heap limit of its own
 * (a workbook that still needs more is refused, the API is unharmed), at most two run at once, and one that
 * takes too long is stopped. Each roster gets a fresh thread, whose memory is returned when it ends.
 */

const ROLE = 'renkei:roster-reader';
const MAX_THREADS = 2;
const TIME_LIMIT_MS = 60_000;
const HEAP_LIMIT_MB = 512;

interface Job {
  role: typeof ROLE;
  file: Uint8Array;
  filename: string;
  existingEmails: string[];
}

type Answer = { roster: ParsedRoster } | { refused: string } | { failed: string };

let running = 0;
const waiting: Array<() => void> = [];

/** parseRoster on a worker thread: the same result, or the same RosterFileError, without blocking the caller. */
export async function readRosterOffThread(file: Buffer, filename: string, options: { existingEmails?: string[] } = {}) {
  if (running >= MAX_THREADS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await runThread({ role: ROLE, file, filename, existingEmails: options.existingEmails ?? [] });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runThread(job: Job): Promise<ParsedRoster> {
  const tooLarge = () => new RosterFileError(`「${job.filename}」は大きすぎて読み込めません。ファイルを分けてアップロードしてください。`);
  return new Promise((resolve, reject) => {
    const worker = spawn(job);
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      void worker.terminate();
      reject(new RosterFileError(`「${job.filename}」の読み込みに時間がかかりすぎました。ファイルを分けてアップロードしてください。`));
    }, TIME_LIMIT_MS);
    const settle = (work: () => void) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      work();
    };
    worker.once('message', (answer: Answer) =>
      settle(() => {
        if ('roster' in answer) resolve(answer.roster);
        else if ('refused' in answer) reject(new RosterFileError(answer.refused));
        else reject(new Error(`the roster reader failed: ${answer.failed}`));
      }),
    );
    worker.once('error', (error: Error & { code?: string }) =>
      settle(() => reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooLarge() : error)),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`the roster reader stopped (exit code ${code})`))));
  });
}

function spawn(job: Job): Worker {
  return new Worker(compiledWorker(), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
}

/** The thread always runs the compiled file: from the TypeScript sources (the tests) that is the build's copy. */
function compiledWorker(): string {
  const path = __filename.endsWith('.js') ? __filename : join(projectRoot(), 'dist', 'src', 'batches', 'roster.worker.js');
  if (!existsSync(path)) throw new Error(`the roster reader is not built (${path}): run npm run build`);
  return path;
}

async function answer(job: Job): Promise<Answer> {
  try {
    return { roster: await parseRoster(Buffer.from(job.file), job.filename, { existingEmails: job.existingEmails }) };
  } catch (error) {
    if (error instanceof RosterFileError) return { refused: error.message };
    return { failed: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

if (!isMainThread && (workerData as Job | null)?.role === ROLE) {
  void answer(workerData as Job).then((result) => parentPort!.postMessage(result));
}
