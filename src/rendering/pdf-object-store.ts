import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { ObjectStorageConfig } from '../config/env';

/** Where a PDF's bytes are kept in the bucket: named by their own sha256, so a key never needs overwriting. */
export function pdfObjectKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: "${sha256}"`);
  return `pdf/${sha256}`;
}

/** The bytes, if they are what their name says; a changed or truncated file is refused, never served. */
export function verifiedPdf(sha256: string, bytes: Buffer, where: string): Buffer {
  const actual = sha256Hex(bytes);
  if (actual !== sha256)
    throw new DomainError('PDF_CORRUPT', '保存されているPDFが記録と一致しないため、表示できません。管理者に連絡してください', {
      sha256,
      actual,
      where,
    });
  return bytes;
}

function status(error: unknown): number | undefined {
  return error instanceof S3ServiceException
    ? error.$metadata.httpStatusCode
    : (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** PDFs in an S3-compatible bucket, through the AWS SDK. Objects are written once and only read or deleted after. */
export class PdfObjectStore {
  private readonly client: S3Client;
  readonly bucket: string;

  constructor(config: ObjectStorageConfig) {
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
    });
  }

  /** Throws unless the bucket exists and these credentials may use it. */
  async reachable(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: pdfObjectKey(sha256) }));
      return true;
    } catch (error) {
      if (status(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Stores the bytes under their hash unless an object is there already: checked first, and the write itself
   * is conditional (If-None-Match), so a store that honours it refuses to overwrite even in a race.
   */
  async put(sha256: string, bytes: Buffer): Promise<void> {
    verifiedPdf(sha256, bytes, 'before upload');
    if (await this.exists(sha256)) return;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: pdfObjectKey(sha256),
          Body: bytes,
          ContentType: 'application/pdf',
          ContentLength: bytes.length,
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      if (status(error) === 412 || status(error) === 409) return; // written meanwhile by another process: same name, same bytes
      throw error;
    }
  }

  /** The object's bytes, verified against its name; null when there is no such object. */
  async get(sha256: string): Promise<Buffer | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: pdfObjectKey(sha256) }));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      return verifiedPdf(sha256, bytes, `s3://${this.bucket}/${pdfObjectKey(sha256)}`);
    } catch (error) {
      if (status(error) === 404) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: pdfObjectKey(sha256) }));
  }

  close(): void {
    this.client.destroy();
  }
}
