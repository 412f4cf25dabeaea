import { FIELD_TYPES, FORM_PURPOSES, FORM_SUBJECTS, HOLDERS, RETENTION_STARTS } from './catalogue.types';

const text = { type: 'string', minLength: 1 };
const holderList = { type: 'array', items: { enum: HOLDERS } };

/** JSON Schema of a catalogue.yaml file. */
export const CATALOGUE_SCHEMA = {
  $id: 'catalogue',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'operator', 'policy', 'dateStyle', 'secretariat', 'forms'],
  properties: {
    id: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    name: text,
    operator: text,
    policy: text,
    dateStyle: { enum: ['seireki', 'wareki'] },
    secretariat: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: text,
        address: text,
        postalCode: { type: 'string', pattern: '^[0-9]{3}-[0-9]{4}$' },
        phone: text,
        email: text,
        addressee: text,
      },
    },
    training: {
      type: 'object',
      additionalProperties: false,
      required: ['required', 'kinds'],
      properties: {
        required: { type: 'boolean' },
        kinds: { type: 'array', minItems: 1, uniqueItems: true, items: text },
        basis: text,
      },
    },
    forms: { type: 'array', minItems: 1, items: { $ref: '#/definitions/form' } },
  },
  definitions: {
    form: {
      type: 'object',
      additionalProperties: false,
      required: [
        'id',
        'number',
        'title',
        'template',
        'pages',
        'signed',
        'subject',
        'purpose',
        'basis',
        'signers',
        'custody',
        'retention',
        'fields',
        'sample',
      ],
      properties: {
        id: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
        subject: { enum: FORM_SUBJECTS },
        purpose: { enum: FORM_PURPOSES },
        prefill: { type: 'object', additionalProperties: { $ref: '#/definitions/prefillSource' } },
        number: text,
        title: text,
        template: { type: 'string', pattern: '^[a-z0-9-]+\\.hbs$' },
        pages: { type: 'integer', minimum: 1, maximum: 20 },
        signed: { type: 'boolean' },
        basis: text,
        signers: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['role', 'label', 'required', 'kind'],
            properties: {
              role: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*$' },
              label: text,
              required: { type: 'boolean' },
              kind: { enum: ['patient', 'family', 'proxy', 'staff', 'manager'] },
            },
          },
        },
        custody: {
          type: 'object',
          additionalProperties: false,
          required: ['originals', 'copies', 'submitted'],
          properties: {
            originals: { ...holderList, minItems: 1 },
            copies: holderList,
            submitted: { type: 'boolean' },
            note: text,
          },
        },
        retention: {
          type: 'object',
          additionalProperties: false,
          required: ['years', 'from'],
          properties: {
            years: { type: 'integer', minimum: 1, maximum: 100 },
            from: { enum: RETENTION_STARTS },
            note: text,
          },
        },
        fields: { type: 'array', items: { $ref: '#/definitions/field' } },
        sample: { type: 'object' },
      },
    },
    prefillSource: {
      oneOf: [
        { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z0-9]+)*$' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['each', 'row'],
          properties: { each: { type: 'string' }, row: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        { type: 'object', not: { required: ['each'] }, additionalProperties: { $ref: '#/definitions/prefillSource' } },
      ],
    },
    field: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'label', 'type'],
      properties: {
        key: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*$' },
        label: text,
        type: { enum: FIELD_TYPES },
        required: { type: 'boolean' },
        maxLength: { type: 'integer', minimum: 1 },
        options: { type: 'array', minItems: 1, items: text },
        fields: { type: 'array', minItems: 1, items: { $ref: '#/definitions/field' } },
        maxItems: { type: 'integer', minimum: 1 },
        help: text,
      },
    },
  },
} as const;
