import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';
import { MultiLine } from '../../common/validation/text-rules';

/** The 事務局's question about a line. */
export class RegistrationQuestionDto {
  @ApiProperty({ example: 'メールアドレスの綴りをご確認ください', maxLength: 1000 })
  @Label('質問')
  @MultiLine()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  question!: string;
}

/** The office's answer to it. */
export class RegistrationAnswerDto {
  @ApiProperty({ example: '正しくは hanako@example.jp です', maxLength: 1000 })
  @Label('回答')
  @MultiLine()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  answer!: string;
}
