import { StartupError } from './startup-error';

/**
 * Starts a process; a configuration or catalogue problem stops it with one readable message naming the
 * variable or the file, instead of a stack trace.
 */
export async function runOrExplain(name: string, start: () => Promise<string>): Promise<void> {
  try {
    const message = await start();
    console.log(`[${name}] ${message}`);
  } catch (error) {
    const known = error instanceof StartupError;
    console.error(`[${name}] cannot start: ${known ? (error as Error).message : (error as Error).stack}`);
    const fields = (error as { details?: { errors?: Array<{ path: string; message: string }> } }).details?.errors;
    for (const field of fields ?? []) console.error(`  ${field.path}: ${field.message}`);
    process.exit(1);
  }
}
