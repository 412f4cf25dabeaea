import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root';
import { pdfFonts, pdfInfo, pdfText, squeeze } from './support/pdf-tools';

describe('npm run bulk (no PostgreSQL, no Redis)', () => {
  it('prints a Shift_JIS roster as one PDF with a progress bar, and lists the rows it left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkei-bulk-'));
    const roster = [
      '氏名,メールアドレス,職種,入職日',
      ...Array.from({ length: 12 }, (_, i) => `一括 ${i + 1}号,b${i}@example.jp,看護師,2026/4/1`),
      ',noname@example.jp,看護師,',
      '誤り 太郎,bad,看護師,',
    ].join('\r\n');
    writeFileSync(join(dir, 'staff.csv'), execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: roster }));
    const result = spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'bulk',
        '--',
        '--network',
        'rurume',
        '--csv',
        join(dir, 'staff.csv'),
        '--out',
        join(dir, 'pledges.pdf'),
        '--office',
        '一括事業所',
        '--duplex',
      ],
      { cwd: projectRoot(), encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('[##############################] 100% 12/12');
    expect(result.stderr).toMatch(/14行目.*氏名がありません/);
    expect(result.stderr).toMatch(/15行目.*メールアドレスの形式/);
    const pdf = join(dir, 'pledges.pdf');
    expect(pdfInfo(pdf)).toEqual({ pages: 2 + 12 * 2, pageSize: expect.stringContaining('(A4)') }); // cover + blank, pledges + blank backs
    const text = squeeze(pdfText(pdf));
    for (let i = 1; i <= 12; i++) expect(text).toContain(`一括${i}号`);
    expect(text).toContain('一括事業所');
    expect(pdfFonts(pdf).every((f) => f.embedded && f.type === 'CID TrueType')).toBe(true);
  });
});
