import { registerDecorator } from 'class-validator';
import { parseIsoDate, todayInJapan } from '../../common/japan-date';

/** A day something was received: a real date written YYYY-MM-DD, today (in Japan) or earlier. */
export function IsReceivedDate(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isReceivedDate',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            parseIsoDate(value);
          } catch {
            return false;
          }
          return value <= todayInJapan();
        },
        defaultMessage: () => '$labelは今日までの正しい日付を YYYY-MM-DD で入力してください（未来の日付は入力できません）',
      },
    });
}
