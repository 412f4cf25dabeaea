import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { Origin, originOf, RequestOrigin } from '../common/request-origin';
import { InvitationsService } from '../onboarding/invitations.service';
import { PeopleService } from '../people/people.service';
import { STAFF_GENDERS, StaffMember } from '../people/people.types';
import { NoticeDraftOutcome } from '../documents/notice-drafts.service';
import { StaffChangesService } from '../staff-changes/staff-changes.service';
import { toSeireki, todayInJapan } from '../common/japan-date';
import { RegistrationsService } from '../registrations/registrations.service';
import { TrainingService } from '../training/training.service';
import { DeskTextFormDto } from './dto/desk-forms.dto';
import { InviteStaffFormDto, TrainingFormDto } from './dto/office-staff-forms.dto';
import { LeaveFormDto, StaffFormDto } from './dto/people-forms.dto';
import { INVITATION_LABELS } from './secretariat-applications.controller';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

/** The office's roster (add, change, leave), its training records, its answers to the 事務局, and its accounts. */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('office')
export class OfficeStaffController {
  constructor(
    private readonly views: WebViews,
    private readonly people: PeopleService,
    private readonly changes: StaffChangesService,
    private readonly training: TrainingService,
    private readonly registrations: RegistrationsService,
    private readonly invitations: InvitationsService,
  ) {}

  @Get('staff/new')
  @PageName('従事者の登録')
  @Roles('office_manager')
  newStaff(@Res() reply: FastifyReply): void {
    this.staffForm(reply, 200, null, {}, []);
  }

  @Post('staff')
  @PageName('従事者の登録')
  @Roles('office_manager')
  @ShowFormOnError('staffFormAgain')
  async addStaff(@User() user: CurrentUser, @Body() body: StaffFormDto, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const { staff, notice } = await this.changes.join(user, body, origin);
    this.home(reply, `${staff.name}さんを登録しました。事務局への登録依頼に載りました${noticeNote(notice, '新規')}`, draftOf(notice));
  }

  @Get('staff/:id/edit')
  @PageName('従事者の登録内容の変更')
  @Roles('office_manager')
  async editStaff(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const staff = await this.people.getStaff(user, id, origin);
    this.staffForm(reply, 200, staff.id, { ...staff, isManager: staff.isManager ? 'on' : undefined }, []);
  }

  @Post('staff/:id')
  @PageName('従事者の登録内容の変更')
  @Roles('office_manager')
  @ShowFormOnError('staffFormAgain')
  async changeStaff(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: StaffFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const staff = await this.people.changeStaff(user, id, body, origin);
    this.home(reply, `${staff.name}さんの登録内容を変更しました。事務局への登録依頼に載りました`);
  }

  staffFormAgain({ reply, params, values, errors, status }: FormAgain): void {
    this.staffForm(reply, status, params.id ?? null, values, errors);
  }

  /** 退職: the page asks for the day (today unless the clerk chooses another). */
  @Get('staff/:id/leave')
  @PageName('従事者の退職')
  @Roles('office_manager')
  async leavePage(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const staff = await this.people.getStaff(user, id, origin);
    this.leaveForm(reply, 200, staff, { leftOn: todayInJapan() }, []);
  }

  @Post('staff/:id/leave')
  @PageName('従事者の退職')
  @Roles('office_manager')
  @ShowFormOnError('leaveFormAgain')
  async leave(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: LeaveFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { staff, notice } = await this.changes.leave(user, id, body.leftOn, origin);
    this.home(
      reply,
      `${staff.name}さんを${toSeireki(body.leftOn)}付けで退職として記録しました。事務局への登録依頼（削除）に載りました${noticeNote(notice, '削除')}`,
      draftOf(notice),
    );
  }

  async leaveFormAgain({ request, reply, params, values, errors, status }: FormAgain): Promise<void> {
    const staff = await this.people.getStaff(request.user!, params.id, originOf(request));
    this.leaveForm(reply, status, staff, values, errors);
  }

  @Post('staff/:id/training')
  @PageName('研修の受講')
  @ShowFormOnError('trainingRefused')
  async recordTraining(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: TrainingFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const staff = await this.people.getStaff(user, id, origin);
    const record = await this.training.record(user, id, { date: body.date ?? '', kind: body.kind ?? '' }, origin);
    this.home(reply, `${staff.name}さんの${record.kind}（${toSeireki(record.attendedOn)}）を記録しました`);
  }

  /** The training form is a row of the office's home page: the refusal is told there. */
  trainingRefused({ reply, errors }: FormAgain): void {
    this.home(reply, `研修を記録できません: ${errors.map((e) => e.message).join(' / ')}`);
  }

  @Post('registrations/:id/answer')
  @PageName('事務局への回答')
  async answer(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: DeskTextFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = body.answer?.trim() ?? '';
    if (!answer) return this.home(reply, '回答を入力してください（何も送っていません）');
    const line = await this.registrations.answer(user, id, answer, origin);
    this.home(reply, `${line.name}さんについての質問に回答しました`);
  }

  @Get('users')
  @PageName('事業所のアカウント')
  @Roles('office_manager')
  async users(@User() user: CurrentUser, @Res() reply: FastifyReply): Promise<void> {
    await this.usersPage(reply, 200, user, {}, [], null);
  }

  @Post('users')
  @PageName('職員の招待')
  @Roles('office_manager')
  @ShowFormOnError('usersPageAgain')
  async invite(@User() user: CurrentUser, @Body() body: InviteStaffFormDto, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const account = await this.invitations.inviteStaff(user, { name: body.name ?? '', email: body.email ?? '' }, origin);
    await this.usersPage(reply, 201, user, {}, [], `${account.email} に招待メールを送りました`);
  }

  async usersPageAgain({ request, reply, values, errors, status }: FormAgain): Promise<void> {
    await this.usersPage(reply, status, request.user!, values, errors, null);
  }

  @Post('users/:userId/resend')
  @PageName('招待メールの再送')
  @Roles('office_manager')
  async resend(@User() user: CurrentUser, @Param('userId') userId: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const account = await this.invitations.resend(user, userId, origin);
    await this.usersPage(reply, 200, user, {}, [], `${account.email} に新しい招待メールを送りました（前のリンクは使えなくなりました）`);
  }

  private staffForm(reply: FastifyReply, status: number, id: string | null, values: Record<string, unknown>, errors: FieldError[]): void {
    const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
    const value = (key: string) => (typeof values[key] === 'string' ? values[key] : '');
    this.views.send(reply, status, 'staff-form', {
      title: id ? '従事者の登録内容の変更' : '従事者の追加',
      action: id ? `/office/staff/${id}` : '/office/staff',
      staffId: id,
      editing: Boolean(id),
      errors,
      fields: [
        { key: 'name', label: '氏名', required: true, type: 'text', autocomplete: 'off' },
        { key: 'nameKana', label: 'ふりがな', required: false, type: 'text', autocomplete: 'off' },
        { key: 'jobTitle', label: '職種', required: false, type: 'text', autocomplete: 'off' },
        { key: 'email', label: 'メールアドレス', required: false, type: 'email', autocomplete: 'off' },
        { key: 'joinedOn', label: '入職日', required: false, type: 'date', autocomplete: 'off' },
      ].map((f) => ({ ...f, value: value(f.key), error: errorOf(f.key) })),
      gender: {
        error: errorOf('gender'),
        options: ['', ...STAFF_GENDERS].map((g) => ({ value: g, label: g || '（未選択）', selected: value('gender') === g })),
      },
      isManager: checked(values.isManager),
    });
  }

  private leaveForm(reply: FastifyReply, status: number, staff: StaffMember, values: Record<string, unknown>, errors: FieldError[]): void {
    this.views.send(reply, status, 'staff-leave', {
      title: `${staff.name}さんの退職`,
      staff,
      left: !staff.active,
      today: todayInJapan(),
      leftOn: typeof values.leftOn === 'string' ? values.leftOn : '',
      error: errors.find((e) => e.path === 'leftOn')?.message ?? errors[0]?.message ?? null,
    });
  }

  private async usersPage(
    reply: FastifyReply,
    status: number,
    user: CurrentUser,
    values: Record<string, unknown>,
    errors: FieldError[],
    message: string | null,
  ): Promise<void> {
    const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
    const accounts = await this.invitations.ofOwnOffice(user);
    this.views.send(reply, status, 'office-users', {
      title: '事業所のアカウント',
      message,
      errors,
      accounts: accounts.map((a) => ({
        ...a,
        roleLabel: a.role === 'office_manager' ? '管理者' : '職員',
        stateLabel: a.state ? INVITATION_LABELS[a.state] : '設定済み',
        canResend: a.state === 'pending' || a.state === 'expired',
      })),
      values: { name: typeof values.name === 'string' ? values.name : '', email: typeof values.email === 'string' ? values.email : '' },
      error: { name: errorOf('name'), email: errorOf('email') },
    });
  }

  /** Back to the office's home with the message; with the staff-change draft to open when there is one. */
  private home(reply: FastifyReply, message: string, draft: string | null = null): void {
    reply.redirect(`/office?message=${encodeURIComponent(message)}${draft ? `&draft=${draft}` : ''}`, 303);
  }
}

/** Where the change went on the network's staff-change notice, in words for the office's message. */
function noticeNote(notice: NoticeDraftOutcome | null, action: string): string {
  if (!notice) return '';
  if ('problem' in notice) return `。${notice.problem}`;
  const sheet = notice.created ? '新しく下書きしました' : `本日の下書きに追加しました（下書きに載っているのは${notice.rows}名）`;
  return `。${notice.formLabel}（${notice.number}）に「${action}」の行を${sheet}。確認して発行してください`;
}

/** The staff-change draft the change went on, if any. */
function draftOf(notice: NoticeDraftOutcome | null): string | null {
  return notice && 'documentId' in notice ? notice.documentId : null;
}

/** A checkbox as a web form sends it. */
function checked(value: unknown): boolean {
  return value === 'on' || value === 'true' || value === true;
}
