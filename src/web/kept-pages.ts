/**
 * Rendered pages kept as UTF-8 bytes, cut where each request's CSRF token goes (csrf-slots.ts); when more
 * than `capacity` are kept, the one used longest ago goes.
 */
export class KeptPages {
  private readonly pages = new Map<string, Buffer[]>();

  constructor(private readonly capacity: number) {}

  get(key: string): Buffer[] | undefined {
    const page = this.pages.get(key);
    if (page) {
      // A Map iterates in insertion order: taken out and put back, the page is now the most recently used.
      this.pages.delete(key);
      this.pages.set(key, page);
    }
    return page;
  }

  set(key: string, parts: string[]): Buffer[] {
    const page = parts.map((part) => Buffer.from(part));
    this.pages.set(key, page);
    if (this.pages.size > this.capacity) this.pages.delete(this.pages.keys().next().value as string);
    return page;
  }

  get size(): number {
    return this.pages.size;
  }
}

/** The page's bytes with the token (base64url, so ASCII) in every slot. */
export function joinWithToken(parts: Buffer[], token: string): Buffer {
  const tokenBytes = Buffer.from(token, 'latin1');
  const pieces: Buffer[] = [parts[0]];
  for (let i = 1; i < parts.length; i++) pieces.push(tokenBytes, parts[i]);
  return Buffer.concat(pieces);
}
