import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText, KeepsUnknownFields } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** The office's "create and issue" form: which form and subject, then the form's own fields (checked by the catalogue). */
@KeepsUnknownFields()
export class OfficeDocumentFormDto {
  @Label('様式')
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  _form!: string;

  @Label('対象')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  _subject?: string;
}
