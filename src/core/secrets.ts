import { timingSafeEqual } from 'node:crypto';

/** Compares a secret someone sent (a header, a token) with ours in constant time. */
export function secretMatches(sent: string | string[] | undefined, secret: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer (.+)$/i.exec(header ?? '')?.[1];
}
