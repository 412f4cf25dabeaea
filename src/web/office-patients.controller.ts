import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { FormAgain, ShowFormOnError } from '../common/errors/form-page';
import { todayInJapan } from '../common/japan-date';
import { Origin, RequestOrigin } from '../common/request-origin';
import { DocumentDraftsService } from '../documents/document-drafts.service';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';
import { familyRows, MAX_FAMILY_ROWS, PatientFormDto } from './dto/people-forms.dto';
import { WebViews } from './web.views';
import { PageName } from '../common/errors/page-name';

const FAMILY_KEYS = ['name', 'relation', 'email', 'phone', 'address'] as const;

/** The office's patients: the list, registering a patient with their family, and changing both. */
@ApiExcludeController()
@Roles('office_manager', 'office_staff')
@Controller('office/patients')
export class OfficePatientsController {
  constructor(
    private readonly views: WebViews,
    private readonly people: PeopleService,
    private readonly drafts: DocumentDraftsService,
    private readonly networks: NetworksService,
  ) {}

  @Get()
  @PageName('患者の一覧')
  async list(@User() user: CurrentUser, @Query('message') message: unknown, @Res() reply: FastifyReply): Promise<void> {
    const forms = await this.patientForms(user);
    const patients = await this.people.listPatients(user.officeId!);
    this.views.send(reply, 200, 'patients', {
      title: '患者',
      message: typeof message === 'string' ? message.slice(0, 500) : null,
      patients: patients.map((p) => ({ ...p, forms })),
    });
  }

  @Get('new')
  @PageName('患者の登録')
  newPatient(@Res() reply: FastifyReply): void {
    this.form(reply, 200, null, { family: [{}] }, []);
  }

  @Post()
  @PageName('患者の登録')
  @ShowFormOnError('formAgain')
  async add(@User() user: CurrentUser, @Body() body: PatientFormDto, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    if (body._add) return this.form(reply, 200, null, withSpareRow({ ...body }), []);
    const patient = await this.people.addPatient(user, body, origin);
    const message = `${patient.name}さんを登録しました（家族${patient.family.length}名）`;
    reply.redirect(`/office/patients/${patient.id}?message=${encodeURIComponent(message)}`, 303);
  }

  @Get(':id/edit')
  @PageName('患者の登録内容の変更')
  async edit(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin, @Res() reply: FastifyReply) {
    const patient = await this.people.getPatient(user, id, origin);
    if (patient.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は消去されています。変更できません');
    this.form(reply, 200, patient.id, { ...patient, family: [...patient.family.map((f) => ({ ...f })), {}] }, []);
  }

  @Post(':id')
  @PageName('患者の登録内容の変更')
  @ShowFormOnError('formAgain')
  async change(
    @User() user: CurrentUser,
    @Param('id') id: string,
    @Body() body: PatientFormDto,
    @Origin() origin: RequestOrigin,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (body._add) return this.form(reply, 200, id, withSpareRow({ ...body }), []);
    const patient = await this.people.updatePatient(user, id, body, origin);
    reply.redirect(`/office/patients/${patient.id}?message=${encodeURIComponent(`${patient.name}さんの登録内容を変更しました`)}`, 303);
  }

  /**
   * The form again, as typed, with each message beside its field. 「家族の欄を追加」 saves nothing, so a form
   * that is not yet valid gets its blank row all the same, without messages.
   */
  formAgain({ reply, params, values, errors, status }: FormAgain): void {
    const typed = { ...values, family: familyRows(values.family) };
    if (values._add) return this.form(reply, 200, params.id ?? null, withSpareRow(typed), []);
    this.form(reply, status, params.id ?? null, typed, errors);
  }

  /** The network's forms about a patient (the consent…), each a link that starts one prefilled for them. */
  private async patientForms(user: CurrentUser) {
    const network = this.networks.getNetwork(await this.drafts.networkOf(user));
    return network.forms.filter((f) => f.subject === 'patient').map((f) => ({ id: f.id, label: `${f.number} ${f.title}` }));
  }

  private form(reply: FastifyReply, status: number, id: string | null, values: FormValues, errors: FieldError[]): void {
    const errorOf = (path: string) => errors.find((e) => e.path === path)?.message ?? null;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const fields = [
      { key: 'name', label: '氏名', required: true, type: 'text', autocomplete: 'off' },
      { key: 'nameKana', label: 'ふりがな', required: false, type: 'text', autocomplete: 'off' },
      { key: 'birthDate', label: '生年月日', required: false, type: 'date', autocomplete: 'off', max: todayInJapan() },
      { key: 'address', label: '住所', required: false, type: 'text', autocomplete: 'off' },
      { key: 'phone', label: '電話番号', required: false, type: 'tel', autocomplete: 'off' },
    ];
    const familyLabels: Record<(typeof FAMILY_KEYS)[number], { label: string; type: string; required: boolean }> = {
      name: { label: '氏名', type: 'text', required: true },
      relation: { label: '続柄', type: 'text', required: true },
      email: { label: 'メールアドレス', type: 'email', required: false },
      phone: { label: '電話番号', type: 'tel', required: false },
      address: { label: '住所', type: 'text', required: false },
    };
    const familyErrors = errors.filter((e) => e.path === 'family');
    this.views.send(reply, status, 'patient-form', {
      title: id ? '患者の登録内容の変更' : '患者の登録',
      action: id ? `/office/patients/${id}` : '/office/patients',
      patientId: id,
      editing: Boolean(id),
      errors: errors.map((e) => ({ ...e, anchor: e.path.replace(/\[(\d+)\]\./, '-$1-') })),
      fields: fields.map((f) => ({ ...f, value: text(values[f.key]), error: errorOf(f.key) })),
      familyError: familyErrors[0]?.message ?? null,
      family: (Array.isArray(values.family) ? (values.family as Array<Record<string, unknown>>) : [])
        .slice(0, MAX_FAMILY_ROWS + 1)
        .map((row, i) => ({
          index: i,
          number: i + 1,
          id: typeof row.id === 'string' ? row.id : '',
          inputs: FAMILY_KEYS.map((key) => ({
            key,
            ...familyLabels[key],
            value: text(row[key]),
            error: errorOf(`family[${i}].${key}`),
          })),
        })),
    });
  }
}

/** What the form shows: the family as rows, or as whatever came instead of them. */
type FormValues = Record<string, unknown> & { family?: unknown };

/** The form again with one more blank family row (「家族の欄を追加」). */
function withSpareRow(input: FormValues): FormValues {
  return { ...input, family: [...(Array.isArray(input.family) ? input.family : []), {}] };
}
