import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { LineStatus, RegistrationKind, RegistrationSource } from './registrations.types';

/** One person the 事務局 must add, change or delete in MCS, as an office submitted them. */
@Entity('registration_line')
export class RegistrationLineEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('uuid', { name: 'staff_member_id', nullable: true }) staffId!: string | null;
  @Column('text') kind!: RegistrationKind;
  @Column('text') name!: string;
  @Column('text', { name: 'name_kana', nullable: true }) nameKana!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { name: 'job_title', nullable: true }) jobTitle!: string | null;
  @Column('text') source!: RegistrationSource;
  @Column('uuid', { name: 'document_id', nullable: true }) documentId!: string | null;
  @Column('text') status!: LineStatus;
  @Column('text', { name: 'mcs_id', nullable: true }) mcsId!: string | null;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('uuid', { name: 'done_by', nullable: true }) doneBy!: string | null;
  @Column('text', { name: 'done_by_name', nullable: true }) doneByName!: string | null;
  @Column('timestamptz', { name: 'done_at', nullable: true }) doneAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A question the 事務局 asked the office about a line, and its answer. */
@Entity('registration_question')
export class RegistrationQuestionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'line_id' }) lineId!: string;
  @Column('text') question!: string;
  @Column('uuid', { name: 'asked_by' }) askedBy!: string;
  @Column('text', { name: 'asked_by_name' }) askedByName!: string;
  @CreateDateColumn({ name: 'asked_at', type: 'timestamptz' }) askedAt!: Date;
  @Column('text', { nullable: true }) answer!: string | null;
  @Column('uuid', { name: 'answered_by', nullable: true }) answeredBy!: string | null;
  @Column('text', { name: 'answered_by_name', nullable: true }) answeredByName!: string | null;
  @Column('timestamptz', { name: 'answered_at', nullable: true }) answeredAt!: Date | null;
}
