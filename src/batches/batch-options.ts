import type { BatchOptionsDto } from './dto/batch-upload.dto';

/** How a roster is carried out, as the upload form and the API give it. */
export interface BatchOptions {
  /** A list of new staff, or the office's full roster (adds, changes and removals). */
  kind: 'new' | 'update';
  mode: 'print' | 'esign';
  duplex: boolean;
}

/** Anything unexpected falls back to the default: a list of new staff, printed one-sided. */
export function batchOptions(body: BatchOptionsDto | undefined): BatchOptions {
  return {
    kind: body?.kind === 'update' ? 'update' : 'new',
    mode: body?.mode === 'esign' ? 'esign' : 'print',
    duplex: body?.duplex === 'true' || body?.duplex === 'on' || body?.duplex === true,
  };
}
