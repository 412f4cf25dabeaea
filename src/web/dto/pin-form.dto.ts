import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

/** The 暗証番号 asked before a signing link opens; a wrong one counts as a failure on the page itself. */
export class PinFormDto {
  @Label('暗証番号')
  @IsOptional()
  @IsString()
  @MaxLength(100)
  code?: string;
}
