import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A log-in. The cookie holds a random token; only its sha256 is stored, as the id. */
@Entity('user_session')
export class SessionEntity {
  @PrimaryColumn('char', { length: 64 }) id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_seen_at' }) lastSeenAt!: Date;
  @Column('text', { nullable: true }) ip!: string | null;
  @Column('text', { name: 'user_agent', nullable: true }) userAgent!: string | null;
}
