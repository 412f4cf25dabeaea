import { loadConfig } from '../../src/config/env';
import { pdfObjectKey, verifiedPdf } from '../../src/rendering/pdf-object-store';
import { sha256Hex } from '../../src/common/hash';

describe('PDFs in object storage: names, checks and settings', () => {
  const bytes = Buffer.from('%PDF-1.7 consent');
  const sha = sha256Hex(bytes);

  it('names each object by the sha256 of its bytes, and nothing else', () => {
    expect(pdfObjectKey(sha)).toBe(`pdf/${sha}`);
    expect(() => pdfObjectKey('../' + sha.slice(3))).toThrow('not a sha256');
    expect(() => pdfObjectKey(sha.toUpperCase())).toThrow('not a sha256');
  });

  it('gives back bytes that match their name and refuses any that do not', () => {
    expect(verifiedPdf(sha, bytes, 'test')).toBe(bytes);
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1] ^= 1;
    expect(() => verifiedPdf(sha, tampered, 'test')).toThrow(expect.objectContaining({ code: 'PDF_CORRUPT' }));
    expect(() => verifiedPdf(sha, bytes.subarray(0, 5), 'test')).toThrow(expect.objectContaining({ code: 'PDF_CORRUPT' }));
  });

  it('keeps PDFs in PostgreSQL when nothing is configured', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).objectStorage).toBeNull();
  });

  it('reads a self-hosted store from STORAGE_URL, path-style, and AWS S3 from s3://', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', STORAGE_URL: 'https://KEY:se%2Fcret@minio.example:9000/renkei-pdfs?region=ap-northeast-1' })
        .objectStorage,
    ).toEqual({
      endpoint: 'https://minio.example:9000',
      bucket: 'renkei-pdfs',
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'KEY', secretAccessKey: 'se/cret' },
      forcePathStyle: true,
    });
    expect(loadConfig({ NODE_ENV: 'test', STORAGE_URL: 's3://renkei-pdfs?region=ap-northeast-1' }).objectStorage).toEqual({
      endpoint: null,
      bucket: 'renkei-pdfs',
      region: 'ap-northeast-1',
      credentials: null,
      forcePathStyle: false,
    });
  });

  it('reads the same from the S3_* variables', () => {
    const env = {
      NODE_ENV: 'test',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'renkei-pdfs',
      S3_ACCESS_KEY_ID: 'KEY',
      S3_SECRET_ACCESS_KEY: 'SECRET',
    };
    expect(loadConfig(env).objectStorage).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'renkei-pdfs',
      region: 'us-east-1',
      credentials: { accessKeyId: 'KEY', secretAccessKey: 'SECRET' },
      forcePathStyle: true,
    });
    expect(loadConfig({ ...env, S3_FORCE_PATH_STYLE: '0' }).objectStorage?.forcePathStyle).toBe(false);
  });

  it('refuses half-made settings rather than silently keeping PDFs in PostgreSQL', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow('S3_BUCKET is not');
    expect(() => loadConfig({ NODE_ENV: 'test', S3_BUCKET: 'renkei-pdfs', S3_ACCESS_KEY_ID: 'KEY' })).toThrow(
      'both the access key and its secret',
    );
    expect(() => loadConfig({ NODE_ENV: 'test', STORAGE_URL: 'ftp://x/renkei-pdfs' })).toThrow('STORAGE_URL must use');
    expect(() => loadConfig({ NODE_ENV: 'test', STORAGE_URL: 'http://127.0.0.1:9000/' })).toThrow('bucket name');
    expect(() => loadConfig({ NODE_ENV: 'test', STORAGE_URL: 's3://renkei-pdfs', S3_BUCKET: 'other' })).toThrow('not both');
  });
});
