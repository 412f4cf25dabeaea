import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IntegrationEvents } from '../integrations/integration-events.service';
import { EventData, WebhookEventType } from '../integrations/integrations.types';

/** What every signing event says of its document: ids, its number and form, never its data. */
export interface EventDocument {
  id: string;
  number: string;
  formId: string;
  officeId: string;
  networkId: string;
}

/** Signing's events for webhooks, written in the transaction of the change: the document and request by id, a signer by role. */
@Injectable()
export class SigningEvents {
  constructor(private readonly events: IntegrationEvents) {}

  emit(manager: EntityManager, type: WebhookEventType, document: EventDocument, requestId: string, data: EventData): Promise<void> {
    return this.events.emit(manager, {
      type,
      officeId: document.officeId,
      networkId: document.networkId,
      data: {
        documentId: document.id,
        number: document.number,
        form: document.formId,
        officeId: document.officeId,
        signingRequestId: requestId,
        ...data,
      },
    });
  }
}
