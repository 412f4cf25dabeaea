import { Injectable } from '@nestjs/common';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DocumentView, DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { PatientWithFamily } from '../people/people.types';
import { RightsAccessPolicy } from './rights-access.policy';
import { RightsRequestsService } from './rights-requests.service';
import { RightsRepository } from './rights.repository';
import { ConsentWithdrawal, Erasure, LegalHold, RightsRequestView } from './rights.types';

/** Everything the office holds about one patient, as their page shows it. */
export interface PatientRecord {
  patient: PatientWithFamily;
  documents: Array<DocumentView & { isConsent: boolean }>;
  withdrawals: ConsentWithdrawal[];
  requests: RightsRequestView[];
  hold: LegalHold | null;
  erasures: Erasure[];
}

/** The patient's page: their details and family, documents, withdrawals, rights requests, hold and erasures. Viewing is audited. */
@Injectable()
export class PatientRecordService {
  constructor(
    private readonly access: RightsAccessPolicy,
    private readonly repository: RightsRepository,
    private readonly documents: DocumentsService,
    private readonly requests: RightsRequestsService,
    private readonly networks: NetworksService,
    private readonly audit: AuditService,
  ) {}

  async record(user: CurrentUser, patientId: string, origin: RequestOrigin | null): Promise<PatientRecord> {
    const patient = await this.access.patient(user, patientId, origin);
    await this.audit.record({ action: 'patient_viewed', actor: user, target: { type: 'patient', id: patient.id }, origin });
    const documents = (await this.documents.forPatient(patient.officeId, patient.id)).map((d) => ({
      ...d,
      isConsent: this.networks.getForm(d.networkId, d.formId).form.purpose === 'consent',
    }));
    return {
      patient,
      documents,
      withdrawals: await this.repository.withdrawalsOf(documents.map((d) => d.id)),
      requests: await this.requests.forPatient(patient.id),
      hold: await this.repository.activeHold(patient.id),
      erasures: await this.repository.erasuresOf(patient.officeId, patient.id),
    };
  }
}
