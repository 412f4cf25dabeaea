import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/current-user';
import { LoadedForm, LoadedNetwork } from './catalogue.loader';
import { NetworksService } from './networks.service';

@ApiTags('networks')
@Public()
@Controller('api/networks')
export class NetworksController {
  constructor(private readonly networks: NetworksService) {}

  @Get()
  @ApiOperation({ summary: 'Networks with their forms, each with its field schema (JSON Schema) and custody rule' })
  @ApiOkResponse({ description: 'An array of networks' })
  list(): unknown[] {
    return this.networks.list().map(describeNetwork);
  }

  @Get(':networkId')
  @ApiOperation({ summary: 'One network' })
  get(@Param('networkId') networkId: string): unknown {
    return describeNetwork(this.networks.getNetwork(networkId));
  }

  @Get(':networkId/forms/:formId')
  @ApiOperation({ summary: 'One form, with its sample data' })
  form(@Param('networkId') networkId: string, @Param('formId') formId: string): unknown {
    const { form } = this.networks.getForm(networkId, formId);
    return { ...describeForm(form), sample: form.sample };
  }
}

function describeNetwork(network: LoadedNetwork) {
  return {
    id: network.id,
    name: network.name,
    operator: network.operator,
    policy: network.policy,
    dateStyle: network.dateStyle,
    secretariat: network.secretariat,
    forms: network.forms.map(describeForm),
  };
}

function describeForm(form: LoadedForm) {
  return {
    id: form.id,
    number: form.number,
    title: form.title,
    pages: form.pages,
    signed: form.signed,
    basis: form.basis,
    signers: form.signers,
    custody: form.custody,
    fields: form.fields,
    schema: form.validator.schema,
  };
}
