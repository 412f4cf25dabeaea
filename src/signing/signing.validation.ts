import { DomainError, FieldError } from '../common/errors/domain-error';
import { looksLikeEmail } from '../common/validation';
import { SignerRole } from '../networks/catalogue.types';
import { normalizeSignatureImage } from './signature-image';
import { SignatureInput, SignerInput, SignerStatus, SigningMethod, SigningRequest } from './signing.types';

/** Wrong 暗証番号 in a row before the link locks. */
export const MAX_ACCESS_CODE_FAILURES = 5;

/** A signer the office named, checked against the form's roles. */
export interface ValidSigner {
  role: SignerRole;
  name: string;
  email: string | null;
  method: SigningMethod;
  accessCode: string | null;
  relation: string | null;
}

/** A signature as it is stored. */
export interface ValidSignature {
  kind: 'typed' | 'drawn';
  image: string | null;
  typedName: string | null;
  relation: string | null;
  proxyReason: string | null;
}

/** A checkbox or boolean, as JSON or a web form sends it. */
export function isChecked(value: unknown): boolean {
  return value === true || value === 'true' || value === 'on';
}

/** Checks the signers the office named against the form's roles; every problem is reported at once. */
export function validateSigners(roles: SignerRole[], input: SignerInput[] | undefined): ValidSigner[] {
  const errors: FieldError[] = [];
  const list = Array.isArray(input) ? input : [];
  const seen = new Set<string>();
  const signers = list.flatMap((s, i): ValidSigner[] => {
    const at = (key: string) => `signers[${i}].${key}`;
    const role = roles.find((r) => r.role === s?.role);
    if (!role) {
      errors.push({
        path: at('role'),
        label: '役割',
        message: `役割は次のいずれかです: ${roles.map((r) => `${r.role}（${r.label}）`).join('、')}`,
      });
      return [];
    }
    if (seen.has(role.role)) errors.push({ path: at('role'), label: role.label, message: `${role.label}が二度指定されています` });
    seen.add(role.role);
    const name = typeof s.name === 'string' ? s.name.trim() : '';
    if (!name || name.length > 40)
      errors.push({ path: at('name'), label: `${role.label}の氏名`, message: `${role.label}の氏名を40文字以内で入力してください` });
    const method = s.method === 'in_person' ? 'in_person' : s.method === 'email' || s.method === undefined ? 'email' : null;
    if (!method) errors.push({ path: at('method'), label: '署名の方法', message: '署名の方法は email か in_person です' });
    const email = typeof s.email === 'string' && s.email.trim() ? s.email.trim() : null;
    if (method === 'email' && (!email || !looksLikeEmail(email))) {
      errors.push({
        path: at('email'),
        label: `${role.label}のメールアドレス`,
        message: email
          ? `${role.label}のメールアドレスを正しく入力してください（メールで署名する場合）`
          : `${role.label}のメールアドレスは必須です（メールで署名する場合）。対面で署名する場合は「方法」を対面にしてください`,
      });
    }
    const accessCode = typeof s.accessCode === 'string' && s.accessCode.trim() ? s.accessCode.trim() : null;
    if (accessCode && !/^\d{4,8}$/.test(accessCode))
      errors.push({ path: at('accessCode'), label: '暗証番号', message: '暗証番号は4〜8桁の数字です' });
    const relation = typeof s.relation === 'string' && s.relation.trim() ? s.relation.trim().slice(0, 20) : null;
    return [{ role, name, email, method: method ?? 'email', accessCode, relation }];
  });
  for (const role of roles.filter((r) => r.required && !seen.has(r.role))) {
    errors.push({ path: 'signers', label: role.label, message: `${role.label}の署名者を指定してください（必須）` });
  }
  if (list.length === 0) errors.push({ path: 'signers', label: '署名者', message: '署名者を1人以上指定してください' });
  if (errors.length) throw new DomainError('INVALID_REQUEST', `署名者の指定に${errors.length}件の誤りがあります`, { errors });
  return signers;
}

/** What a signer of this role is asked beside the signature: the form shows these fields, validateSignature requires them. */
export function signatureFields(role: Pick<SignerRole, 'kind'>): { needsRelation: boolean; isProxy: boolean; staffSigner: boolean } {
  return {
    needsRelation: role.kind === 'family' || role.kind === 'proxy',
    isProxy: role.kind === 'proxy',
    // Staff (the one who explained, or signing their own pledge) did not receive an explanation: only the patient's side did.
    staffSigner: role.kind === 'staff' || role.kind === 'manager',
  };
}

/** Checks what the signer submitted; every problem is reported at once. */
export function validateSignature(role: SignerRole, input: SignatureInput): ValidSignature {
  const errors: FieldError[] = [];
  if (!isChecked(input.consent)) {
    errors.push({ path: 'consent', label: '同意', message: '内容を確認し、同意する場合はチェックを入れてください' });
  }
  const kind = input.signatureKind === 'typed' ? 'typed' : input.signatureKind === 'drawn' ? 'drawn' : null;
  let image: string | null = null;
  let typedName: string | null = null;
  if (kind === 'drawn') {
    // Decoded, size-capped and written anew: what is kept is the pixels, never the uploaded bytes.
    const normalized = normalizeSignatureImage(input.signatureImage);
    if ('problem' in normalized) errors.push({ path: 'signatureImage', label: '署名', message: normalized.problem });
    else image = normalized.image;
  } else if (kind === 'typed') {
    typedName = typeof input.typedName === 'string' ? input.typedName.trim() : '';
    if (!typedName || typedName.length > 40)
      errors.push({ path: 'typedName', label: '署名（文字入力）', message: 'お名前を40文字以内で入力してください' });
  } else {
    errors.push({ path: 'signatureKind', label: '署名の方法', message: '手書きか文字入力で署名してください' });
  }
  const relation = typeof input.relation === 'string' && input.relation.trim() ? input.relation.trim().slice(0, 20) : null;
  const asks = signatureFields(role);
  if (asks.needsRelation && !relation) errors.push({ path: 'relation', label: '続柄', message: '患者さまとの続柄を入力してください' });
  const proxyReason = typeof input.proxyReason === 'string' && input.proxyReason.trim() ? input.proxyReason.trim().slice(0, 200) : null;
  if (asks.isProxy && !proxyReason)
    errors.push({ path: 'proxyReason', label: '代筆の理由', message: '代筆する理由を入力してください（例: 手の震えのため）' });
  if (errors.length) throw new DomainError('INVALID_REQUEST', `署名の入力に${errors.length}件の誤りがあります`, { errors });
  return { kind: kind!, image, typedName, relation, proxyReason };
}

/** A signer may sign only while the request is open and unexpired and they have neither signed nor declined. */
export function assertSignable(
  request: Pick<SigningRequest, 'status' | 'expiresAt'>,
  signer: { status: SignerStatus },
  now: number = Date.now(),
): void {
  if (signer.status === 'signed') throw new DomainError('ALREADY_SIGNED', 'この書類には既に署名いただいています。ありがとうございました');
  if (request.status === 'expired' || request.expiresAt.getTime() < now)
    throw new DomainError('LINK_EXPIRED', 'この署名依頼は有効期限が切れています。依頼元の事業所にお問い合わせください');
  if (request.status !== 'open' || signer.status === 'declined')
    throw new DomainError('REQUEST_CLOSED', 'この署名依頼は取り消されたか、辞退されています');
}

/** Whether a signer gets their link now: in an ordered request only the first signer still pending; otherwise anyone pending. */
export function mayStart(
  request: { ordered: boolean },
  all: Array<{ id: string; status: SignerStatus; position: number }>,
  signer: { id: string; method: SigningMethod },
): boolean {
  if (signer.method !== 'email') return false;
  if (!request.ordered) return true;
  return all.filter((s) => s.status === 'pending').sort((a, b) => a.position - b.position)[0]?.id === signer.id;
}

/**
 * In an ordered request (上から順番に署名), a signer may sign, or be sent a link, only once everyone above them
 * has signed. `earlier` are the signers above who have not signed yet.
 */
export function assertTurn(
  request: { ordered: boolean },
  all: Array<{ id: string; status: SignerStatus; position: number; name: string; roleLabel: string }>,
  signer: { id: string; position: number },
  audience: 'office' | 'family',
): void {
  if (!request.ordered) return;
  const earlier = all.filter((s) => s.position < signer.position && s.status !== 'signed').sort((a, b) => a.position - b.position);
  if (earlier.length === 0) return;
  throw notYourTurn(audience, earlier[0]);
}

export function notYourTurn(audience: 'office' | 'family', first?: { name: string; roleLabel: string }): DomainError {
  return new DomainError(
    'NOT_YOUR_TURN',
    audience === 'office' && first
      ? `この依頼は「上から順番に署名」です。先に ${first.name} さん（${first.roleLabel}）の署名が必要です`
      : 'この書類は順番に署名していただくものです。前の方の署名がまだ済んでいません。順番が来ましたら、改めてメールでお知らせします',
  );
}

/** A family link (copy, withdrawal) locked by its 暗証番号: nothing can be re-sent; the office helps. */
export function familyLockedError(): DomainError {
  return new DomainError(
    'ACCESS_LOCKED',
    '暗証番号を続けて間違えたため、このリンクはロックされました。控えの再送や同意の撤回は、依頼元の事業所にお問い合わせください',
  );
}

export function lockedError(): DomainError {
  return new DomainError(
    'ACCESS_LOCKED',
    '暗証番号を続けて間違えたため、このリンクはロックされました。依頼元の事業所に連絡して、リンクを再送してもらってください',
  );
}

/**
 * A document that left use (withdrawn, revoked, erased) is never signed, sealed nor delivered; one signed
 * on paper meanwhile needs no e-signature. Checked when a link opens and again under the document's lock.
 */
export function assertDocumentSignable(document: { number: string; status: string }): void {
  if (document.status === 'issued') return;
  const reasons: Record<string, string> = {
    withdrawn: 'この書類は依頼元の事業所が取り下げたため、署名できません。署名の必要はありません',
    revoked: 'この同意は撤回されています。署名の必要はありません',
    erased: 'この書類は消去されました',
  };
  const reason = reasons[document.status];
  if (reason) throw new DomainError('DOCUMENT_RETIRED', reason);
  throw new DomainError('REQUEST_CLOSED', 'この書類は既に署名済みです。このリンクは使えません');
}

/** Why the family's download link of a document that left use no longer delivers it. */
export function retiredDownloadError(status: string): DomainError {
  return new DomainError(
    'DOCUMENT_RETIRED',
    status === 'erased'
      ? 'この書類は消去されたため、ダウンロードできません'
      : 'この書類は取り下げ、または撤回されたため、ダウンロードできません。依頼元の事業所にお問い合わせください',
  );
}
