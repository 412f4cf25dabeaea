import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Workbook } from 'exceljs';
import { KNOWN_JOB_TITLES, ParsedRoster, RosterFileError, RosterRow, parseRoster } from '../../src/batches/roster.parser';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'rosters', name));
const csv = (text: string) => Buffer.from(text, 'utf8');
const JOB_EXAMPLES = '（例: 看護師、理学療法士、介護支援専門員、介護福祉士、事務職員 など）';

/** A row with every field empty, to spread the expected values over. */
const row = (values: Partial<RosterRow> & { row: number }): RosterRow => ({
  name: null,
  nameKana: null,
  jobTitle: null,
  email: null,
  gender: null,
  startDate: null,
  manager: false,
  problems: [],
  ...values,
});

async function fileError(file: Buffer, filename = 'roster.csv'): Promise<RosterFileError> {
  const error = await parseRoster(file, filename).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RosterFileError);
  return error as RosterFileError;
}

/** One data row under a minimal header, for checking a single column's rules. */
async function single(column: string, value: string): Promise<RosterRow> {
  const roster = await parseRoster(csv(`氏名,メールアドレス,${column}\n山田　太郎,yamada@example.jp,${value}\n`), 'x.csv');
  expect(roster.rows).toHaveLength(1);
  return roster.rows[0];
}

describe("parseRoster: Excel's ordinary CSV (Shift_JIS)", () => {
  const file = fixture('staff-shift_jis.csv');
  let roster: ParsedRoster;
  beforeAll(async () => {
    roster = await parseRoster(file, 'staff-shift_jis.csv', { existingEmails: ['Tanaka@Example.JP', 'someone@example.jp'] });
  });

  it('is really a Shift_JIS file, not UTF-8', () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(file)).toThrow();
    expect(roster.encoding).toBe('shift_jis');
  });

  it("reads every row, by Excel row number, with all of each row's problems", () => {
    expect(roster.rows).toEqual([
      row({
        row: 2,
        name: '山田　太郎',
        nameKana: 'ヤマダ タロウ',
        jobTitle: '看護師',
        email: 'yamada.taro@example.jp',
        gender: '男',
        startDate: '2026-04-01',
        manager: true,
      }),
      row({
        row: 3,
        name: '髙橋　花子',
        nameKana: 'たかはし はなこ',
        jobTitle: '理学療法士',
        email: 'takahashi@example.jp',
        gender: '女',
        startDate: '2026-04-01',
      }),
      row({
        row: 5,
        name: '山田　次郎',
        nameKana: 'やまだ じろう',
        jobTitle: '介護福祉士',
        email: 'YAMADA.TARO@EXAMPLE.JP',
        gender: '男',
        startDate: '2026-04-01',
        problems: [{ column: 'メールアドレス', message: 'メールアドレスが2行目と重複しています' }],
      }),
      row({
        row: 6,
        name: '佐藤　花子',
        nameKana: 'さとう はなこ',
        jobTitle: 'ケアマネージャー',
        email: 'sato,hanako@example.jp',
        gender: '女',
        startDate: '2026-04-01',
        problems: [
          { column: '職種', message: `職種「ケアマネージャー」は一覧にありません${JOB_EXAMPLES}` },
          { column: 'メールアドレス', message: 'メールアドレスの形式が正しくありません（sato,hanako@example.jp）' },
        ],
      }),
      row({
        row: 7,
        nameKana: 'Kimura',
        jobTitle: '医師',
        email: 'kimura@example.jp',
        startDate: '2019-04-30',
        problems: [
          { column: '氏名', message: '氏名がありません' },
          { column: 'ふりがな', message: 'ふりがなはひらがなかカタカナで入力してください（Kimura）' },
          { column: '性別', message: '性別は「男」か「女」で入力してください（不明）' },
        ],
      }),
      row({
        row: 8,
        name: '田中　一郎',
        nameKana: 'たなか いちろう',
        jobTitle: '事務',
        email: 'tanaka@example.jp',
        manager: true,
        problems: [
          { column: 'メールアドレス', message: 'このメールアドレスの従事者は既に登録されています' },
          { column: '入職日', message: '入職日「2026-02-30」は存在しない日付です' },
        ],
      }),
      row({
        row: 9,
        name: '伊藤　美咲',
        nameKana: 'いとう みさき',
        gender: '女',
        problems: [
          { column: 'メールアドレス', message: 'メールアドレスがありません' },
          { column: '入職日', message: '入職日「令和元年4月1日」は存在しない日付です' },
        ],
      }),
    ]);
  });

  it('splits valid from invalid rows, keeping their order', () => {
    expect(roster.valid.map((r) => r.row)).toEqual([2, 3]);
    expect(roster.invalid.map((r) => r.row)).toEqual([5, 6, 7, 8, 9]);
  });
});

describe('parseRoster: 「CSV UTF-8」 with a BOM', () => {
  it('takes synonym headers, full-width text and skips template rows that only hold a number', async () => {
    const roster = await parseRoster(fixture('staff-utf8-bom.csv'), 'staff-utf8-bom.csv');
    expect(roster.encoding).toBe('utf-8-bom');
    expect(roster.rows).toEqual([
      row({
        row: 2,
        name: '鈴木　一郎',
        nameKana: 'スズキ イチロウ',
        jobTitle: '介護支援専門員',
        email: 'suzuki@example.jp',
        gender: '男',
        startDate: '2026-04-01',
        manager: true,
      }),
      row({
        row: 3,
        name: '渡辺　さくら',
        nameKana: 'わたなべ さくら',
        jobTitle: '歯科衛生士',
        email: 'watanabe@example.jp',
        gender: '女',
        startDate: '2026-04-01',
      }),
    ]);
    expect(roster.invalid).toEqual([]);
  });
});

describe('parseRoster: plain UTF-8', () => {
  it('numbers rows as Excel does: blank first line counted, a quoted line break stays in one row', async () => {
    const roster = await parseRoster(fixture('staff-utf8.csv'), 'staff-utf8.csv');
    expect(roster.encoding).toBe('utf-8');
    expect(roster.rows).toEqual([
      row({
        row: 3,
        name: '小林　健',
        nameKana: 'こばやし けん',
        jobTitle: '訪問介護員',
        email: 'kobayashi@example.jp',
        gender: '男',
        startDate: '2026-04-01',
      }),
      row({
        row: 4,
        name: '加藤　裕子',
        nameKana: 'かとう ゆうこ',
        jobTitle: 'その他',
        email: 'kato@example',
        gender: '女',
        problems: [
          { column: 'メールアドレス', message: 'メールアドレスの形式が正しくありません（kato@example）' },
          { column: '入職日', message: '入職日「2026/13/1」は存在しない日付です' },
        ],
      }),
      row({
        row: 5,
        name: '中村　翔',
        nameKana: 'なかむら しょう',
        jobTitle: 'ホームヘルパー',
        email: 'nakamura@example.jp',
        startDate: '2026-04-01',
      }),
    ]);
  });

  it('follows RFC 4180: "" escapes, commas and CRLF inside quotes, CRLF rows, no final line break', async () => {
    const text =
      '"氏名","メール","職種"\r\n"山田 ""タロー"" 太郎","a@example.jp","看護師"\r\n"x, y","b@example.jp",\r\n"1行目\r\n2行目",c@example.jp,事務';
    const roster = await parseRoster(csv(text), 'x.csv');
    expect(roster.rows.map((r) => [r.row, r.name, r.email, r.jobTitle])).toEqual([
      [2, '山田 "タロー" 太郎', 'a@example.jp', '看護師'],
      [3, 'x, y', 'b@example.jp', null],
      [4, '1行目\n2行目', 'c@example.jp', '事務'],
    ]);
  });
});

describe('parseRoster: XLSX', () => {
  async function workbook(): Promise<Buffer> {
    const wb = new Workbook();
    const sheet = wb.addWorksheet('名簿');
    sheet.addRow(['氏名', 'ふりがな', 'メールアドレス', '職種', '入職日', '管理者', '性別']);
    sheet.addRow([
      { richText: [{ text: '松本', font: { bold: true } }, { text: '　美紀' }] },
      'まつもと みき',
      { text: 'matsumoto@example.jp', hyperlink: 'mailto:matsumoto@example.jp' },
      '看護師',
      new Date(Date.UTC(2026, 3, 1)), // what Excel itself stores: the day at 00:00 UTC
      true,
      '女',
    ]);
    sheet.getCell('E2').numFmt = 'yyyy/m/d';
    sheet.addRow([]);
    sheet.addRow(['井上　大輔', 'イノウエ ダイスケ', 'inoue@example.jp', '准看護師', 46113, 1, '男']); // 46113 = 2026-04-01
    sheet.addRow([
      '森　直子',
      'もり なおこ',
      { formula: 'LOWER("MORI@EXAMPLE.JP")', result: 'mori@example.jp' },
      '医療事務',
      new Date('2026-04-01T00:00:00+09:00'), // midnight in Japan, as a program in Japan writes it
      null,
      '女',
    ]);
    sheet.getCell('E5').numFmt = 'yyyy/m/d';
    sheet.addRow(['清水　亮', 'しみず りょう', 'INOUE@example.jp', '看護士', '2026-02-29', '△', 'X']);
    sheet.addRow([12345, '', 'number@example.jp', '', 2.5, '', '']);
    const other = wb.addWorksheet('メモ');
    other.addRow(['氏名', 'メールアドレス']);
    other.addRow(['別シート', 'other@example.jp']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('reads the first sheet, normalising rich text, hyperlinks, formulas, dates, serials and booleans', async () => {
    const file = await workbook();
    expect(file.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
    const roster = await parseRoster(file, 'roster.xlsx');
    expect(roster.encoding).toBe('xlsx');
    expect(roster.rows).toEqual([
      row({
        row: 2,
        name: '松本　美紀',
        nameKana: 'まつもと みき',
        jobTitle: '看護師',
        email: 'matsumoto@example.jp',
        gender: '女',
        startDate: '2026-04-01',
        manager: true,
      }),
      row({
        row: 4,
        name: '井上　大輔',
        nameKana: 'イノウエ ダイスケ',
        jobTitle: '准看護師',
        email: 'inoue@example.jp',
        gender: '男',
        startDate: '2026-04-01',
        manager: true,
      }),
      row({
        row: 5,
        name: '森　直子',
        nameKana: 'もり なおこ',
        jobTitle: '医療事務',
        email: 'mori@example.jp',
        gender: '女',
        startDate: '2026-04-01',
      }),
      row({
        row: 6,
        name: '清水　亮',
        nameKana: 'しみず りょう',
        jobTitle: '看護士',
        email: 'INOUE@example.jp',
        problems: [
          { column: '職種', message: `職種「看護士」は一覧にありません${JOB_EXAMPLES}` },
          { column: 'メールアドレス', message: 'メールアドレスが4行目と重複しています' },
          { column: '性別', message: '性別は「男」か「女」で入力してください（X）' },
          { column: '入職日', message: '入職日「2026-02-29」は存在しない日付です' },
          { column: '管理者', message: '管理者欄は、管理者なら「○」、そうでなければ空欄にしてください（△）' },
        ],
      }),
      row({
        row: 7,
        name: '12345',
        email: 'number@example.jp',
        problems: [{ column: '入職日', message: '入職日「2.5」は存在しない日付です' }],
      }),
    ]);
    expect(roster.valid.map((r) => r.row)).toEqual([2, 4, 5]);
  });

  it('refuses a damaged workbook', async () => {
    const file = await workbook();
    const error = await fileError(file.subarray(0, Math.floor(file.length / 2)), 'roster.xlsx');
    expect(error.message).toBe(
      '「roster.xlsx」は壊れているか、Excel（.xlsx）のファイルではありません。Excel（.xlsx）か CSV で保存したファイルを選んでください。',
    );
  });
});

describe('parseRoster: column rules', () => {
  it.each([
    ['2026-04-01', '2026-04-01'],
    ['2026/4/1', '2026-04-01'],
    ['2026.4.1', '2026-04-01'],
    ['2026年4月1日', '2026-04-01'],
    ['２０２６－０４－０１', '2026-04-01'],
    ['2026/4/1 0:00', '2026-04-01'],
    ['令和8年4月1日', '2026-04-01'],
    ['令和 8 年 4 月 1 日', '2026-04-01'],
    ['R8.4.1', '2026-04-01'],
    ['r8/4/1', '2026-04-01'],
    ['㋿8年4月1日', '2026-04-01'],
    ['令和元年5月1日', '2019-05-01'],
    ['平成31年4月30日', '2019-04-30'],
    ['H31.4.30', '2019-04-30'],
    ['平成元年1月8日', '1989-01-08'],
    ['昭和64年1月7日', '1989-01-07'],
    ['2024-02-29', '2024-02-29'],
  ])('入職日 %s is %s', async (value, iso) => {
    const r = await single('入職日', value);
    expect(r.startDate).toBe(iso);
    expect(r.problems).toEqual([]);
  });

  it.each([
    ['2026-02-30', 'は存在しない日付です'],
    ['2025-02-29', 'は存在しない日付です'],
    ['平成31年5月1日', 'は存在しない日付です'],
    ['令和0年4月1日', 'は存在しない日付です'],
    ['R8.4.31', 'は存在しない日付です'],
    ['1026-04-01', 'は存在しない日付です'],
    ['4月1日', 'を日付として読み取れません（例: 2026-04-01、2026/4/1、令和8年4月1日）'],
    ['来月', 'を日付として読み取れません（例: 2026-04-01、2026/4/1、令和8年4月1日）'],
    ['46113', 'を日付として読み取れません（例: 2026-04-01、2026/4/1、令和8年4月1日）'],
  ])('入職日 %s is refused', async (value, message) => {
    const r = await single('入職日', value);
    expect(r.startDate).toBeNull();
    expect(r.problems).toEqual([{ column: '入職日', message: `入職日「${value}」${message}` }]);
  });

  it.each([
    ['男', '男'],
    ['男性', '男'],
    ['M', '男'],
    ['m', '男'],
    ['Ｍ', '男'],
    ['女', '女'],
    ['女性', '女'],
    ['F', '女'],
    ['f', '女'],
    ['', null],
  ])('性別 %s is %s', async (value, gender) => {
    const r = await single('性別', value);
    expect([r.gender, r.problems]).toEqual([gender, []]);
  });

  it.each([
    ['○', true],
    ['〇', true],
    ['◯', true],
    ['はい', true],
    ['1', true],
    ['TRUE', true],
    ['yes', true],
    ['管理者', true],
    ['', false],
    ['×', false],
    ['0', false],
    ['いいえ', false],
    ['false', false],
  ])('管理者 %s is %s', async (value, manager) => {
    const r = await single('管理者', value);
    expect([r.manager, r.problems]).toEqual([manager, []]);
  });

  it.each([
    ['やまだ　たろう', 'やまだ たろう'],
    ['ヤマダ タロウ', 'ヤマダ タロウ'],
    ['ｼﾞｮﾝ･ｽﾐｽ', 'ジョン・スミス'],
    ['ゔぁーじにあ', 'ゔぁーじにあ'],
  ])('ふりがな %s is kept as %s', async (value, kana) => {
    const r = await single('ふりがな', value);
    expect([r.nameKana, r.problems]).toEqual([kana, []]);
  });

  it.each(['山田 たろう', 'yamada', 'やまだ1'])('ふりがな %s is refused', async (value) => {
    const r = await single('ふりがな', value);
    expect(r.problems).toEqual([{ column: 'ふりがな', message: `ふりがなはひらがなかカタカナで入力してください（${value}）` }]);
  });

  it('accepts every known 職種, also in half-width, and an empty one', async () => {
    for (const title of KNOWN_JOB_TITLES) expect((await single('職種', title)).problems).toEqual([]);
    expect(await single('職種', 'ｹｱﾏﾈｼﾞｬｰ')).toMatchObject({ jobTitle: 'ケアマネジャー', problems: [] });
    expect(await single('職種', '')).toMatchObject({ jobTitle: null, problems: [] });
    expect(KNOWN_JOB_TITLES).toHaveLength(30);
  });

  it.each([
    'yamada',
    'yamada@',
    '@example.jp',
    'yamada@example',
    'yama da@example.jp',
    'やまだ@example.jp',
    'a@b@example.jp',
    'yamada@example..jp',
  ])('e-mail %s is refused', async (email) => {
    const roster = await parseRoster(csv(`氏名,メールアドレス\n山田,${email}\n`), 'x.csv');
    expect(roster.rows[0].problems).toEqual([{ column: 'メールアドレス', message: `メールアドレスの形式が正しくありません（${email}）` }]);
  });

  it('normalises full-width e-mail addresses and compares them without case', async () => {
    const roster = await parseRoster(
      csv('氏名,メールアドレス\n甲,ＹＡＭＡＤＡ＠ｅｘａｍｐｌｅ．ｊｐ\n乙,yamada@example.jp\n丙,Yamada@Example.jp\n'),
      'x.csv',
      { existingEmails: ['ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ'] },
    );
    const registered = { column: 'メールアドレス', message: 'このメールアドレスの従事者は既に登録されています' };
    const duplicate = { column: 'メールアドレス', message: 'メールアドレスが2行目と重複しています' };
    expect(roster.rows.map((r) => [r.row, r.email, r.problems])).toEqual([
      [2, 'YAMADA@example.jp', [registered]],
      [3, 'yamada@example.jp', [duplicate, registered]],
      [4, 'Yamada@Example.jp', [duplicate, registered]],
    ]);
  });
});

describe('parseRoster: whole-file problems', () => {
  it('names the headers it found when there is no 氏名 column', async () => {
    const error = await fileError(csv('名前漢字,メールアドレス,職種\n山田,yamada@example.jp,看護師\n'));
    expect(error.message).toBe(
      '見出し行（1行目）に「氏名」の列がありません。見つかった見出し: 名前漢字、メールアドレス、職種。1行目に「氏名」「メールアドレス」などの見出しを入れてください。',
    );
  });

  it('uses the first non-empty row as the header, so a title above it is reported', async () => {
    const error = await fileError(csv('\n職員名簿 2026年4月,,\n氏名,メールアドレス\n山田,yamada@example.jp\n'));
    expect(error.message).toMatch(/^見出し行（2行目）に「氏名」の列がありません。見つかった見出し: 職員名簿 2026年4月。/);
  });

  it('needs an e-mail column', async () => {
    const error = await fileError(csv('氏名,職種\n山田,看護師\n'));
    expect(error.message).toMatch(/^見出し行（1行目）に「メールアドレス」の列がありません。見つかった見出し: 氏名、職種。/);
  });

  it('refuses two columns for the same item', async () => {
    const error = await fileError(csv('氏名,名前,メールアドレス\n山田,山田,yamada@example.jp\n'));
    expect(error.message).toBe('「氏名」にあたる列が複数あります（氏名、名前）。どちらか一つにしてください。');
  });

  it('refuses a PDF', async () => {
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n%'),
      Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a]),
      Buffer.from('1 0 obj\n<< /Type /Catalog >>\nendobj\n'),
    ]);
    const error = await fileError(pdf, 'meibo.pdf');
    expect(error.message).toBe(
      '「meibo.pdf」は PDF ファイルのため読み込めません。Excel（.xlsx）か CSV で保存したファイルを選んでください。',
    );
  });

  it('refuses an old .xls, UTF-16 text and other binaries', async () => {
    expect((await fileError(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'meibo.xls')).message).toMatch(
      /古い Excel 形式（\.xls）/,
    );
    expect((await fileError(Buffer.from('\ufeff氏名,メールアドレス\n', 'utf16le'), 'meibo.txt')).message).toMatch(/UTF-16/);
    expect((await fileError(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'photo.png')).message).toBe(
      '「photo.png」は名簿のファイルではないようです。Excel（.xlsx）か CSV で保存したファイルを選んでください。',
    );
  });

  it('refuses bytes that are neither UTF-8 nor Shift_JIS', async () => {
    const error = await fileError(Buffer.concat([Buffer.from('氏名,メールアドレス\n'), Buffer.from([0x82, 0x20, 0xff, 0x0a])]));
    expect(error.message).toMatch(/文字コードを読み取れません/);
  });

  it('refuses empty files and a header with no rows under it', async () => {
    expect((await fileError(Buffer.alloc(0))).message).toBe('「roster.csv」は空のファイルです。');
    expect((await fileError(csv('\r\n , \r\n\r\n'))).message).toBe('「roster.csv」には何も書かれていません。');
    expect((await fileError(csv('氏名,メールアドレス\r\n,\r\n'))).message).toBe(
      '「roster.csv」には見出し行（1行目）の下に従事者の行がありません。',
    );
  });

  it('refuses an unclosed quote, naming the row it opens on', async () => {
    const error = await fileError(csv('氏名,メールアドレス\n山田,yamada@example.jp\n"鈴木,suzuki@example.jp\n'));
    expect(error.message).toBe('3行目で始まる「"」が閉じられていません。ファイルを Excel で開き、保存し直してください。');
  });

  it('takes 5,000 rows and refuses 5,001', async () => {
    const lines = (n: number) =>
      ['氏名,メールアドレス', ...Array.from({ length: n }, (_, i) => `職員${i},staff${i}@example.jp`)].join('\n');
    const roster = await parseRoster(csv(lines(5000)), 'x.csv');
    expect(roster.valid).toHaveLength(5000);
    expect(roster.rows[4999].row).toBe(5001);
    expect((await fileError(csv(lines(5001)))).message).toBe(
      '「roster.csv」は行が多すぎます（上限 5,000 人）。ファイルを分けてアップロードしてください。',
    );
  });

  it('refuses files over 5 MB', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 'a');
    expect((await fileError(big)).message).toBe('「roster.csv」は大きすぎます（上限 5MB）。ファイルを分けてアップロードしてください。');
  });
});
