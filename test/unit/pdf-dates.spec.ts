import { datedToTheDay } from '../../src/rendering/pdf.renderer';

const chromiumInfo = (time: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj\n<</Creator (Chromium)\n/CreationDate (D:20261201${time}+00'00')\n/ModDate (D:20261201${time}+00'00')>>\n`,
  );

describe('PDF dates', () => {
  it('keeps the day of a print and drops its time, so equal forms printed apart are equal bytes', () => {
    const first = datedToTheDay(chromiumInfo('134143'));
    const second = datedToTheDay(chromiumInfo('134144'));
    expect(first.equals(second)).toBe(true);
    expect(first.toString('latin1')).toContain("/CreationDate (D:20261201000000+00'00')");
    expect(first.toString('latin1')).toContain("/ModDate (D:20261201000000+00'00')");
    expect(first.length).toBe(chromiumInfo('134143').length);
  });

  it('leaves a PDF without those dates as it is', () => {
    const plain = Buffer.from('%PDF-1.4\n1 0 obj\n<</Creator (x)>>\n');
    expect(datedToTheDay(Buffer.from(plain)).equals(plain)).toBe(true);
  });
});
