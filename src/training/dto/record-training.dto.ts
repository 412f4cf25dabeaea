import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/decorators';
import { Label } from '../../common/validation/label';

/** One attendance: the date and what was attended (one of the network's kinds, e.g. 研修会 or 動画). */
export class RecordTrainingDto {
  @ApiProperty({ example: '2026-04-10', description: 'YYYY-MM-DD, not in the future' })
  @Label('受講日')
  @Trim()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '受講日は YYYY-MM-DD で入力してください' })
  date!: string;

  @ApiProperty({ example: '研修会', description: "One of the network's training kinds (GET /api/networks)" })
  @Label('研修の種類')
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  kind!: string;
}
