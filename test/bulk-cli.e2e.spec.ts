import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root';
import { pdfFonts, pdfInfo, pdfText, squeeze } from './support/pdf-tools';

/** A roster as Excel in Japan saves it (CP932, CRLF), in a fresh directory; returns the directory. */
function shiftJisRoster(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-bulk-'));
  writeFileSync(join(dir, 'staff.csv'), execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: lines.join('\r\n') }));
  return dir;
}

function bulk(args: string[]) {
  return spawnSync('npm', ['run', '--silent', 'bulk', '--', ...args], { cwd: projectRoot(), encoding: 'utf8' });
}

/** A Node stack frame, as an uncaught error prints it. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('npm run bulk (no PostgreSQL, no Redis)', () => {
  it('prints a Shift_JIS roster as one PDF with a progress bar, and lists the rows it left out', () => {
    const dir = shiftJisRoster([
      '氏名,メールアドレス,職種,入職日',
      ...Array.from({ length: 12 }, (_, i) => `一括 ${i + 1}号,b${i}@example.jp,看護師,2026/4/1`),
      ',noname@example.jp,看護師,',
      '誤り 太郎,bad,看護師,',
    ]);
    const result = bulk([
      '--network',
      'rurume',
      '--csv',
      join(dir, 'staff.csv'),
      '--out',
      join(dir, 'pledges.pdf'),
      '--office',
      '一括事業所',
      '--duplex',
    ]);
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

  it('without --office, says so in one line and stops before reading the roster (exit 2)', () => {
    const dir = shiftJisRoster(['氏名,メールアドレス,職種', '一括 一号,b1@example.jp,看護師', '誤り 太郎,bad,看護師']);
    const result = bulk(['--network', 'rurume', '--csv', join(dir, 'staff.csv'), '--out', join(dir, 'pledges.pdf')]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('--office')]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(join(dir, 'pledges.pdf'))).toBe(false);
  });

  it('with no valid row, says there is nothing to print, without a stack trace (exit 1)', () => {
    const dir = shiftJisRoster(['氏名,メールアドレス,職種', ',noname@example.jp,看護師', '誤り 太郎,bad,看護師']);
    const result = bulk([
      '--network',
      'rurume',
      '--csv',
      join(dir, 'staff.csv'),
      '--out',
      join(dir, 'pledges.pdf'),
      '--office',
      '一括事業所',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/2行目.*氏名がありません/);
    expect(result.stderr).toMatch(/3行目.*メールアドレスの形式/);
    expect(result.stderr).toContain('印刷できる行がありません');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain('qpdf');
    expect(existsSync(join(dir, 'pledges.pdf'))).toBe(false);
  });
});
