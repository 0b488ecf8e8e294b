import { BlockList, isIP } from 'node:net';

/**
 * Where the bot may post its replies when no app credentials authenticate the channel. botbuilder posts every
 * reply to the activity's `serviceUrl`, which the sender chooses: without a token to check, anybody could make
 * this server call an address of their choosing (a request forgery into the network it runs in). So only an
 * Emulator on this machine (a loopback address) and the origins the operator lists in BOT_SERVICE_URLS are answered.
 *
 * @example
 *   const policy = new ServiceUrlPolicy(['https://bots.example.org']);
 *   policy.allows('http://localhost:53012/');        // true: the Emulator on this machine
 *   policy.allows('https://bots.example.org/emea/'); // true: a listed origin
 *   policy.allows('http://10.0.0.5/');               // false
 */
export class ServiceUrlPolicy {
  private readonly origins: ReadonlySet<string>;

  /** @throws Error naming every entry of BOT_SERVICE_URLS that is not an origin, so that start-up fails early. */
  constructor(allowed: readonly string[]) {
    const bad = allowed.filter((entry) => !isOrigin(entry));
    if (bad.length) throw new Error(`BOT_SERVICE_URLS: expected origins like https://bots.example.org (scheme, host and port only), not: ${bad.join(', ')}`);
    this.origins = new Set(allowed.map((entry) => originOf(entry)!));
  }

  /** True for an http(s) URL on a loopback address or at one of the allowed origins. */
  allows(url: string): boolean {
    const origin = originOf(url);
    return origin !== undefined && (isLoopback(new URL(url).hostname) || this.origins.has(origin));
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * `localhost`, 127.0.0.0/8 and ::1 (also as ::ffff:127.x, which BlockList counts in 127.0.0.0/8), as the URL parser
 * writes them: it already turns 2130706433 or 0x7f.1 into 127.0.0.1, and brackets IPv6. Not 0.0.0.0, which Linux
 * would connect to this machine through, but which no Emulator uses.
 */
function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  const address = hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** An http(s) URL with nothing after its host and port (a trailing slash aside). */
function isOrigin(entry: string): boolean {
  if (originOf(entry) === undefined) return false;
  const url = new URL(entry);
  return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
}

/** `scheme://host[:port]` of an http(s) URL, or undefined for anything else. Safe to log: no path, no query. */
export function originOf(url: string | undefined): string | undefined {
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
}
