import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Used when no key is given: the same for every Analytics of this process, and gone with it. */
const PROCESS_KEY = randomBytes(32);

/**
 * The stored name of a conversation: an HMAC-SHA256 of its id (a Telegram chat id, a Direct Line conversation id)
 * under a key kept outside the database (PSEUDONYM_KEY), so that whoever has the database alone cannot tell whose
 * questions are whose – trying every Telegram id needs the key.
 *
 * The key is not used directly: each calendar month (UTC) of the event has its own key, HMAC(key, month). One
 * person's questions are then linked in the database within a month only, which leaves less to re-identify someone
 * by from what they asked over time. It does not protect against someone who holds the key, who can work out any
 * month's key; what limits that is retention (RETENTION_DAYS) and changing the key.
 *
 * @example new Pseudonyms(process.env.PSEUDONYM_KEY).of('tg:123456789', Date.now()) // 22 characters, base64url
 */
export class Pseudonyms {
  private readonly key: Buffer;
  private readonly monthKeys = new LRUCache<string, Buffer>({ max: 24 });
  // A conversation sends many messages: its pseudonym is worked out once.
  private readonly known = new LRUCache<string, string>({ max: 20_000 });

  /** `key`: at least 32 characters; without one, a random key for this process (pseudonyms change at restart). */
  constructor(key?: string) {
    if (key !== undefined && key.length < 32) throw new Error('The pseudonym key must have at least 32 characters.');
    this.key = key === undefined ? PROCESS_KEY : Buffer.from(key, 'utf8');
  }

  of(sessionId: string, at: number): string {
    const month = Number.isFinite(at) ? new Date(at).toISOString().slice(0, 7) : 'undated';
    const cached = this.known.get(`${month} ${sessionId}`);
    if (cached) return cached;
    let monthKey = this.monthKeys.get(month);
    if (!monthKey) this.monthKeys.set(month, (monthKey = createHmac('sha256', this.key).update(`conversation pseudonym ${month}`).digest()));
    const pseudonym = createHmac('sha256', monthKey).update(sessionId).digest('base64url').slice(0, 22);
    this.known.set(`${month} ${sessionId}`, pseudonym);
    return pseudonym;
  }
}
