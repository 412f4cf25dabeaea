import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { StaffGender, StaffMember } from './people.types';

/** 従事者: someone on an office's roster; needs no log-in of their own. */
@Entity('staff_member')
export class StaffMemberEntity implements StaffMember {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id' }) officeId!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'name_kana', nullable: true }) nameKana!: string | null;
  @Column('text', { name: 'job_title', nullable: true }) jobTitle!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) gender!: StaffGender | null;
  @Column('date', { name: 'joined_on', nullable: true }) joinedOn!: string | null;
  @Column('boolean', { name: 'is_manager' }) isManager!: boolean;
  @Column('boolean') active!: boolean;
  @Column('uuid', { name: 'user_id', nullable: true }) userId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'left_at', nullable: true }) leftAt!: Date | null;
}
