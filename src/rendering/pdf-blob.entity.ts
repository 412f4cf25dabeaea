import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A rendered PDF, stored once per content (sha256). Its bytes are in the row (the default) or in an
 * S3-compatible bucket (`location`), never on a local disk, so API and worker processes on different machines
 * see the same files.
 */
@Entity('pdf_blob')
export class PdfBlobEntity {
  @PrimaryColumn('char', { length: 64 })
  sha256!: string;

  @Column('bytea', { select: false, nullable: true })
  content!: Buffer | null;

  @Column('text')
  location!: 'postgres' | 's3';

  @Column('int', { name: 'byte_size' })
  byteSize!: number;

  @Column('int', { name: 'page_count' })
  pageCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
