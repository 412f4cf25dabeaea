import bcrypt from 'bcryptjs';

/** The networks' rule (e.g. るるめ第9条, 港 第12条): at least 8 characters, letters and digits mixed. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'パスワードは8文字以上にしてください';
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return 'パスワードは英字と数字を混ぜてください';
  if (password.length > 128) return 'パスワードは128文字以内にしてください';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, 10);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
