import { choice, formDate, phone, postal, rows, ruby, seireki, wareki } from '../../src/templates/template.helpers';

describe('template helpers', () => {
  it('prints a blank date line for handwriting when no date is given', () => {
    expect(seireki(null)).toBe('西暦　　年　　月　　日');
    expect(wareki(undefined)).toBe('令和　　年　　月　　日');
    expect(formDate('2026-04-01', 'wareki')).toBe('令和8年4月1日');
    expect(formDate('2026-04-01', 'seireki')).toBe('西暦 2026年4月1日');
  });

  it('writes postal codes with 〒 and a hyphen, from half- or full-width digits', () => {
    expect(postal('2030053')).toBe('〒203-0053');
    expect(postal('２０３－００５３')).toBe('〒203-0053');
    expect(postal(null)).toBe('〒');
  });

  it('hyphenates phone numbers only where the split is certain', () => {
    expect(phone('09012345678')).toBe('090-1234-5678');
    expect(phone('0312345678')).toBe('03-1234-5678');
    expect(phone('0120123456')).toBe('0120-123-456');
    expect(phone('042-471-0000')).toBe('042-471-0000');
    expect(phone('０４２４７１００００')).toBe('0424710000');
  });

  it('escapes user data inside ruby (ふりがな) markup', () => {
    expect(ruby('<b>山田</b>', 'やまだ').toString()).toBe('<ruby>&lt;b&gt;山田&lt;/b&gt;<rt>やまだ</rt></ruby>');
    expect(ruby('山田', null).toString()).toBe('山田');
  });

  it('circles the chosen option and escapes every option', () => {
    const options = { hash: {} } as never;
    expect(choice('女', '男', '女', options).toString()).toBe('<span>男</span>・<span class="circled">女</span>');
    expect(choice(null, '<x>', options).toString()).toBe('<span>&lt;x&gt;</span>');
  });

  it('pads a list with empty rows to the paper table’s length', () => {
    expect(rows([{ a: 1 }], 3)).toEqual([{ a: 1 }, null, null]);
    expect(rows(null, 2)).toEqual([null, null]);
  });
});
