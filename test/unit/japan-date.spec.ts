import { formatJst, parseIsoDate, toSeireki, toWareki, todayInJapan } from '../../src/common/japan-date';

describe('和暦 and 西暦 dates', () => {
  it.each([
    ['2026-04-01', '令和8年4月1日'],
    ['2019-05-01', '令和元年5月1日'],
    ['2019-04-30', '平成31年4月30日'],
    ['1989-01-08', '平成元年1月8日'],
    ['1989-01-07', '昭和64年1月7日'],
    ['1926-12-25', '昭和元年12月25日'],
    ['1926-12-24', '大正15年12月24日'],
    ['1912-07-30', '大正元年7月30日'],
    ['1912-07-29', '明治45年7月29日'],
    ['1873-01-01', '明治6年1月1日'],
    ['1872-12-31', '1872年12月31日'],
  ])('%s is %s', (iso, wareki) => {
    expect(toWareki(iso)).toBe(wareki);
  });

  it('writes 西暦 without leading zeros', () => {
    expect(toSeireki('2026-04-01')).toBe('2026年4月1日');
  });

  it('refuses impossible dates instead of rolling them over', () => {
    expect(() => parseIsoDate('2026-02-30')).toThrow('存在しない日付です');
    expect(() => parseIsoDate('2026/04/01')).toThrow('日付ではありません');
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('takes today in Japan, not in UTC', () => {
    expect(todayInJapan(new Date('2026-03-31T15:30:00Z'))).toBe('2026-04-01');
  });

  it('writes a moment in the same 年月日 style, in Japan time, whatever the server zone', () => {
    expect(formatJst(new Date('2026-11-30T15:05:07Z'))).toBe('2026年12月1日 0:05');
    expect(formatJst(new Date('2026-12-01T00:05:07Z'), { seconds: true })).toBe('2026年12月1日 9:05:07');
    expect(formatJst(new Date('2026-12-01T14:59:00Z'))).toBe(`${toSeireki('2026-12-01')} 23:59`);
  });
});
