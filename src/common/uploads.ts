import type { MultipartFile } from '@fastify/multipart';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The largest upload of any form (a sealed PDF to verify); each feature checks its own, smaller limits. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** A file from a multipart form, read into memory (uploads here are single rosters and PDFs). */
export class UploadedFile {
  constructor(
    readonly buffer: Buffer,
    readonly filename: string,
    readonly mimetype: string,
  ) {}
}

/** @fastify/multipart hook: the file becomes an UploadedFile in the request body, beside the form's fields. */
export async function collectUploads(part: MultipartFile): Promise<void> {
  const buffer = await part.toBuffer();
  (part as MultipartFile & { value: unknown }).value = new UploadedFile(buffer, part.filename, part.mimetype);
}

/** The uploaded file in form field `field`, if the request carried one there. */
export const Upload = createParamDecorator((field: string, context: ExecutionContext): UploadedFile | undefined => {
  const value = (context.switchToHttp().getRequest<{ body?: Record<string, unknown> }>().body ?? {})[field];
  return value instanceof UploadedFile ? value : undefined;
});
