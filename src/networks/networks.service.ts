import { Inject, Injectable } from '@nestjs/common';
import { DomainError, InvalidFormDataError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { FormContext, TemplateEngine } from '../templates/template.engine';
import { LoadedForm, LoadedNetwork, formContext, loadCatalogue } from './catalogue.loader';

/** The networks and their forms, loaded from templates/ once at start-up (a broken catalogue stops it). */
@Injectable()
export class NetworksService {
  readonly engine: TemplateEngine;
  private readonly networks: LoadedNetwork[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.engine = new TemplateEngine(config.templatesDir);
    this.networks = loadCatalogue(this.engine);
  }

  list(): LoadedNetwork[] {
    return this.networks;
  }

  getNetwork(networkId: string): LoadedNetwork {
    const network = this.networks.find((n) => n.id === networkId);
    if (!network) {
      const known = this.networks.map((n) => n.id);
      throw new DomainError('NETWORK_NOT_FOUND', `ネットワーク「${networkId}」はありません。あるもの: ${known.join(', ')}`, {
        available: known,
      });
    }
    return network;
  }

  getForm(networkId: string, formId: string): { network: LoadedNetwork; form: LoadedForm } {
    const network = this.getNetwork(networkId);
    const form = network.forms.find((f) => f.id === formId);
    if (!form) {
      const known = network.forms.map((f) => f.id);
      throw new DomainError('FORM_NOT_FOUND', `${network.name}に様式「${formId}」はありません。あるもの: ${known.join(', ')}`, {
        available: known,
      });
    }
    return { network, form };
  }

  /** The network's forms whose original goes to the 事務局: the only documents its 事務局 sees. */
  submittedFormIds(networkId: string): string[] {
    return this.getNetwork(networkId)
      .forms.filter((f) => f.custody.originals.includes('secretariat'))
      .map((f) => f.id);
  }

  /** Returns the normalized data, or throws with every invalid field. */
  validate(networkId: string, formId: string, data: unknown): Record<string, unknown> {
    const { form } = this.getForm(networkId, formId);
    const result = form.validator.check(data);
    if (result.errors.length > 0 || !result.data) throw new InvalidFormDataError(result.errors);
    return result.data;
  }

  /** The HTML of one form's pages (to be wrapped alone, or with many others for bulk printing). */
  formHtml(
    networkId: string,
    formId: string,
    data: Record<string, unknown>,
    exemplar: FormContext['exemplar'] = null,
    signatures: FormContext['signatures'] = {},
  ): string {
    const { network, form } = this.getForm(networkId, formId);
    try {
      return form.render(formContext(network, form, data, exemplar, signatures));
    } catch (error) {
      throw new DomainError('TEMPLATE_ERROR', `${network.id}/${form.template}: ${(error as Error).message}`);
    }
  }
}
