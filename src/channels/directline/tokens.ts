import { SignJWT, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';

const AUDIENCE = 'directline';

/** A Direct Line token: a signed, expiring grant to one conversation. */
export class TokenIssuer {
  /**
   * Tokens already verified, with their expiry: a conversation sends the same token with every request, and
   * WebCrypto verification is asynchronous (a round trip through Node's thread pool), so each is checked once.
   */
  private readonly verified = new LRUCache<string, { conversationId: string; expiresAt: number }>({ max: 20_000 });

  constructor(
    private readonly key: Uint8Array,
    readonly ttlSeconds: number,
  ) {}

  async issue(conversationId: string): Promise<string> {
    return new SignJWT({ conv: conversationId })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The conversation the token grants, or undefined when it is forged, expired or not a token of ours. */
  async conversationOf(token: string): Promise<string | undefined> {
    const known = this.verified.get(token);
    if (known) return known.expiresAt > Date.now() ? known.conversationId : undefined;
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.conv !== 'string' || typeof payload.exp !== 'number') return undefined;
      this.verified.set(token, { conversationId: payload.conv, expiresAt: payload.exp * 1000 });
      return payload.conv;
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
