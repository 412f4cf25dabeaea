import { IntegrationEvent } from '../integrations/integrations.types';
import { Exemplar } from './custody.types';

/** An original or copy received (by the 事務局): the sheet by id and code, never what is on it. */
export function receivedEvent(exemplar: Exemplar, receivedAt: Date): IntegrationEvent {
  return {
    type: 'exemplar.received',
    officeId: exemplar.officeId,
    networkId: exemplar.networkId,
    data: {
      exemplarId: exemplar.id,
      code: exemplar.code,
      documentId: exemplar.documentId,
      form: exemplar.formId,
      officeId: exemplar.officeId,
      kind: exemplar.kind,
      holder: exemplar.holder,
      receivedAt: receivedAt.toISOString(),
    },
  };
}
