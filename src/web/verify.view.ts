import { formatJst, toSeireki, todayInJapan } from '../common/japan-date';
import { Verification } from '../signing/verification.service';

const LEVELS: Record<NonNullable<Verification['level']>, string> = {
  'B-B': '封緘の署名のみ（PAdES B-B）。タイムスタンプがないため、封緘証明書の有効期限後は封緘時点の有効性を示せません',
  'B-T': '封緘の署名とタイムスタンプ（PAdES B-T）。検証に必要な証明書・失効情報は埋め込まれていません',
  'B-LT': '封緘の署名、タイムスタンプ、検証に必要な証明書と失効情報（PAdES B-LT）',
  'B-LTA':
    '長期署名（PAdES B-LTA）。封緘の署名とタイムスタンプ、検証に必要な証明書と失効情報、それら全体を守る文書タイムスタンプがあります',
};

/** The verdict in plain Japanese for the /verify page: level, timestamps, until when, and what became of the document. */
export function verificationLines(result: Verification): {
  level: string | null;
  timestamps: string[];
  until: string | null;
  state: string | null;
} {
  const day = (iso: string) => toSeireki(todayInJapan(new Date(iso)));
  const since = result.stateSince ? toSeireki(result.stateSince) : '';
  const state =
    result.state === 'revoked'
      ? `この同意は${since}に撤回されました（撤回を受け付けた日）。封緘された内容は当時のまま正しいものですが、現在は効力がありません`
      : result.state === 'withdrawn'
        ? `この文書は${since ? `${since}に` : ''}取り下げられました。現在は使われていません`
        : result.state === 'superseded'
          ? `この文書は${since}に署名された訂正版に差し替えられています。最新の内容は訂正版をご確認ください`
          : result.state === 'valid'
            ? '現在も有効な文書です（撤回・取り下げ・訂正による差し替えはありません）'
            : null;
  return {
    level: result.level ? LEVELS[result.level] : null,
    timestamps: result.timestamps.map(
      (t) =>
        `${t.kind === 'signature' ? '署名タイムスタンプ' : '文書タイムスタンプ'}: ${formatJst(new Date(t.time), { seconds: true })}　発行: ${t.issuer}`,
    ),
    until: result.verifiableUntil
      ? `${day(result.verifiableUntil)}まで、このファイルに埋め込まれた情報で検証できます（期限の前に文書タイムスタンプを更新します）`
      : null,
    state,
  };
}
