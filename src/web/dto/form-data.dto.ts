import { KeepsUnknownFields } from '../../common/validation/decorators';

/**
 * A blank form's fields, as posted: only an object here; the network's catalogue checks its fields
 * (networks/form-data.validator.ts) and the page shows each problem beside its input.
 */
@KeepsUnknownFields()
export class FormDataDto {}
