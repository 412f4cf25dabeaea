import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsOptionalText } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** /office/documents/new?form=…&subject=…: the form to fill in, and whom it is about. */
export class NewDocumentQueryDto {
  @Label('様式')
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  form!: string;

  @Label('対象')
  @IsOptionalText()
  @IsString()
  @MaxLength(100)
  subject?: string;
}
