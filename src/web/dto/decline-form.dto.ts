import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Label } from '../../common/validation/label';

export class DeclineFormDto {
  @Label('辞退の理由')
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
