import { createHash, randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Redis } from 'ioredis';
import type { RedisConnection } from '../../storage/redis/connection.js';
import type { ActivitySet, DirectLineConversations } from './conversations.js';
import { ConversationStore, type Listener, type StoreOptions } from './store.js';

export interface RedisConversationsOptions {
  /** Idle conversations are forgotten after this long (every request to one renews it). */
  ttlMs: number;
  /** Activities kept per conversation (as in memory: 8). */
  history: number;
  /** While Redis cannot be reached, conversations are kept in this instance's memory, bounded as without Redis. */
  fallback: StoreOptions;
  /** Keys and the channel start with this (several services may share one Redis). */
  prefix?: string;
}

interface Handle {
  readonly id: string;
  readonly address: string;
}

/** A stream open on this instance. */
interface Local {
  /** `epoch` names the conversation's sequence numbers: they start again when Redis lost the conversation. */
  deliver(epoch: string, watermark: number, set: string): void;
  close(): void;
}

/** Bytes of activity JSON one conversation keeps (as in memory: 64 KiB less its fixed cost); the newest always stays. */
const CONVERSATION_BYTES = 64 * 1024 - 2_000;
/** Client activity ids remembered per conversation, as in memory. */
const CLIENT_IDS_KEPT = 32;

/**
 * Starts the conversation if it is not kept (HSETNX), with a new epoch (ARGV[3]), and renews the expiry of its
 * keys. 1 when started.
 */
const OPEN = `
local started = redis.call('HSETNX', KEYS[1], 'address', ARGV[2])
if started == 1 then redis.call('HSET', KEYS[1], 'seq', 0, 'bytes', 0, 'epoch', ARGV[3]) end
for _, k in ipairs(KEYS) do redis.call('PEXPIRE', k, ARGV[1]) end
return started`;

/**
 * Appends activities under the next sequence numbers, drops the oldest past the history or the byte bound (the
 * newest stays), remembers the clientActivityID (unless it is known: then nothing is kept and its id returned),
 * renews the expiry and publishes the activity set. Returns {1, ids…} or {0, known id}.
 * KEYS: meta hash, activity list, client id order list.
 * ARGV: ttl ms, id as in JSON, id, history, bytes, clientActivityID or '', address, channel, max client ids,
 * epoch if it starts the conversation, then each activity's JSON after its id. Publishes "seq\nepoch\n"id"\nset".
 */
const APPEND = `
local meta, list, order = KEYS[1], KEYS[2], KEYS[3]
local cid = ARGV[6]
if cid ~= '' then
  local known = redis.call('HGET', meta, 'k:' .. cid)
  if known then return {0, known} end
end
if redis.call('HSETNX', meta, 'address', ARGV[7]) == 1 then redis.call('HSET', meta, 'bytes', 0, 'epoch', ARGV[10]) end
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then epoch = '' end
local out = {1}
local jsons = {}
local seq = 0
for i = 11, #ARGV do
  seq = redis.call('HINCRBY', meta, 'seq', 1)
  local suffix = '|' .. string.format('%07d', seq)
  local json = '{"id":"' .. ARGV[2] .. suffix .. '",' .. ARGV[i]
  redis.call('RPUSH', list, seq .. ' ' .. json)
  redis.call('HINCRBY', meta, 'bytes', #json)
  out[#out + 1] = ARGV[3] .. suffix
  jsons[#jsons + 1] = json
end
local history, bytes = tonumber(ARGV[4]), tonumber(ARGV[5])
while true do
  local n = redis.call('LLEN', list)
  if n <= 1 then break end
  if n <= history and tonumber(redis.call('HGET', meta, 'bytes')) <= bytes then break end
  local old = redis.call('LPOP', list)
  local space = string.find(old, ' ', 1, true)
  redis.call('HINCRBY', meta, 'bytes', -(#old - space))
end
if cid ~= '' then
  redis.call('HSET', meta, 'k:' .. cid, out[2])
  redis.call('RPUSH', order, cid)
  if redis.call('LLEN', order) > tonumber(ARGV[9]) then
    redis.call('HDEL', meta, 'k:' .. redis.call('LPOP', order))
  end
end
for _, k in ipairs(KEYS) do redis.call('PEXPIRE', k, ARGV[1]) end
local set = '{"activities":[' .. table.concat(jsons, ',') .. '],"watermark":"' .. seq .. '"}'
redis.call('PUBLISH', ARGV[8], seq .. '\\n' .. epoch .. '\\n"' .. ARGV[2] .. '"\\n' .. set)
return out`;

/** A Lua script, run by its SHA1 (sent whole only when Redis does not have it yet, as after a restart). */
interface Script {
  readonly lua: string;
  readonly sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { open: script(OPEN), append: script(APPEND) };

/** The epoch of conversations kept in this instance's memory while Redis is away. */
const MEMORY = 'memory';

function activitySet(jsons: string[], watermark: number): string {
  return `{"activities":[${jsons.join(',')}],"watermark":"${watermark}"}`;
}

/**
 * Direct Line conversations in Redis, shared by every instance (REDIS_URL): per conversation a hash (address,
 * sequence number, bytes kept, clientActivityID → activity id), a list of its latest activities as JSON (bounded as
 * in memory: 8 activities, 64 KiB) and the order of its client ids (32 kept), all three with the idle expiry renewed
 * by every request. Appending is one Lua script, so a client's retry of the same clientActivityID is kept once
 * whichever instance gets it first. Each activity set is published on one channel for all conversations; every
 * instance subscribes (a second connection) and tells its own streams.
 *
 * While Redis cannot be reached, conversations are kept in this instance's memory (bounded, as without Redis) and
 * streams are told directly; a conversation whose token is valid is started again in Redis when it is back.
 */
export class RedisConversations implements DirectLineConversations<Handle> {
  private readonly prefix: string;
  private readonly channel: string;
  private readonly local = new Map<string, Set<Local>>();
  private readonly fallback: ConversationStore;
  private readonly subscriber: Redis;

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: RedisConversationsOptions,
  ) {
    this.prefix = options.prefix ?? 'osce:dl:';
    this.channel = `${this.prefix}activities`;
    this.fallback = new ConversationStore(options.fallback);
    // Its subscription waits for Redis however long it is away; the main connection reports losing it, this one only
    // reconnects and subscribes again (ioredis does both).
    this.subscriber = redis.client.duplicate({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => this.received(message));
  }

  /**
   * Subscribes to the channel, waiting at most `timeoutMs` (at start Redis has just answered; should it be away, the
   * subscription is made when it is back, as after every reconnection).
   */
  async start(timeoutMs = 2_000): Promise<void> {
    this.subscriber.connect().catch(() => undefined);
    const subscribed = this.subscriber.subscribe(this.channel);
    subscribed.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([subscribed, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]).catch(() => undefined);
    clearTimeout(timer);
  }

  private received(message: string): void {
    const first = message.indexOf('\n');
    const second = message.indexOf('\n', first + 1);
    const third = message.indexOf('\n', second + 1);
    if (first < 0 || second < 0 || third < 0) return;
    const id = JSON.parse(message.slice(second + 1, third)) as string;
    const streams = this.local.get(id);
    if (!streams) return;
    const watermark = Number(message.slice(0, first));
    const epoch = message.slice(first + 1, second);
    const set = message.slice(third + 1);
    for (const stream of streams) stream.deliver(epoch, watermark, set);
  }

  private keys(id: string): [string, string, string] {
    const base = `${this.prefix}{${id}}`;
    return [base, `${base}:activities`, `${base}:clients`];
  }

  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error as Error).message?.startsWith('NOSCRIPT')) throw error;
      return this.redis.client.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  /** The command's result, or the fallback's when Redis cannot be reached. */
  private async either<T>(command: () => Promise<T>, fallback: () => T): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.redis.failed(error);
      return fallback();
    }
  }

  private memory(c: Handle) {
    return this.fallback.getOrCreate(c.id, c.address);
  }

  async create(address: string): Promise<Handle> {
    return this.getOrCreate(randomUUID(), address);
  }

  /** Any conversation a valid token names is kept (started again when Redis lost it): as getOrCreate. */
  async get(id: string, address: string): Promise<Handle> {
    return this.getOrCreate(id, address);
  }

  async getOrCreate(id: string, address: string): Promise<Handle> {
    const keys = this.keys(id);
    return this.either(
      async () => {
        await this.run(SCRIPTS.open, keys, [this.options.ttlMs, address, randomUUID()]);
        return { id, address };
      },
      () => (this.fallback.getOrCreate(id, address), { id, address }),
    );
  }

  async clientActivity(c: Handle, clientId: string): Promise<string | undefined> {
    return this.either(
      async () => (await this.redis.client.hget(this.keys(c.id)[0], `k:${clientId}`)) ?? undefined,
      () => this.memory(c).clientIds.get(clientId),
    );
  }

  async post(c: Handle, activity: Partial<Activity>, clientId: string | undefined): Promise<{ id: string; known: boolean }> {
    const [kept, id] = await this.store(c, [activity], clientId);
    return { id: String(id), known: kept === 0 };
  }

  async append(c: Handle, activities: Partial<Activity>[]): Promise<string[]> {
    return (await this.store(c, activities, undefined)).slice(1) as string[];
  }

  private async store(c: Handle, activities: Partial<Activity>[], clientId: string | undefined): Promise<(number | string)[]> {
    const tails = activities.map((a) => {
      const { replyToId, ...rest } = a;
      const own = JSON.stringify({ timestamp: new Date(), channelId: 'directline', conversation: { id: c.id }, ...(replyToId ? { replyToId } : {}) });
      return `${own.slice(1, -1)},${JSON.stringify(rest).slice(1)}`;
    });
    const keys = this.keys(c.id);
    const args = [this.options.ttlMs, JSON.stringify(c.id).slice(1, -1), c.id, this.options.history, CONVERSATION_BYTES, clientId ?? '', c.address, this.channel, CLIENT_IDS_KEPT, randomUUID()];
    return this.either(
      async () => (await this.run(SCRIPTS.append, keys, [...args, ...tails])) as (number | string)[],
      () => {
        // Redis is away: kept here, and this instance's streams told directly.
        const conversation = this.memory(c);
        const known = clientId ? conversation.clientIds.get(clientId) : undefined;
        if (known) return [0, known];
        const before = conversation.seq;
        const ids = this.fallback.append(conversation, activities);
        if (clientId) this.fallback.remember(conversation, clientId, ids[0]!);
        const { set } = this.fallback.since(conversation, String(before));
        for (const stream of this.local.get(c.id) ?? []) stream.deliver(MEMORY, conversation.seq, set);
        return [1, ...ids];
      },
    );
  }

  async since(c: Handle, watermark: string | undefined): Promise<ActivitySet & { epoch: string }> {
    const after = Number(watermark ?? 0) || 0;
    const [meta, list] = this.keys(c.id);
    return this.either(
      async () => {
        const results = await this.redis.client.multi().hmget(meta, 'seq', 'epoch').lrange(list, 0, -1).exec();
        if (!results || results.some(([error]) => error)) throw results?.find(([error]) => error)?.[0] ?? new Error('transaction aborted');
        const [seq, epoch] = results[0]![1] as (string | null)[];
        const jsons = (results[1]![1] as string[]).flatMap((entry) => {
          const space = entry.indexOf(' ');
          return Number(entry.slice(0, space)) > after ? [entry.slice(space + 1)] : [];
        });
        return { set: activitySet(jsons, Number(seq ?? 0)), count: jsons.length, watermark: Number(seq ?? 0), epoch: epoch ?? '' };
      },
      () => {
        const conversation = this.memory(c);
        return { ...this.fallback.since(conversation, watermark), watermark: conversation.seq, epoch: MEMORY };
      },
    );
  }

  /**
   * A stream on this instance, listening (the instance subscribed at start) before the backlog is read, so that
   * nothing published meanwhile is lost: what arrives before the backlog is sent waits, and is sent after it unless
   * the backlog (or an earlier set) had it. `max` streams per conversation are counted on each instance.
   */
  async listen(c: Handle, listener: Listener, watermark: string | undefined, max: number): Promise<(() => void) | undefined> {
    const streams = this.local.get(c.id) ?? new Set<Local>();
    if (streams.size >= max) return undefined;
    let waiting: [string, number, string][] | undefined = [];
    // What the stream was sent: later sets of the same epoch up to it are not sent again (pub/sub comes on its own
    // connection, so a set in the backlog may arrive after it).
    let sent = { epoch: '', upTo: 0 };
    const stream: Local = {
      deliver: (epoch, seq, set) => {
        if (waiting) return void waiting.push([epoch, seq, set]);
        if (epoch === sent.epoch && seq <= sent.upTo) return;
        sent = { epoch, upTo: seq };
        listener.send(set);
      },
      close: () => listener.close(),
    };
    streams.add(stream);
    this.local.set(c.id, streams);
    const stop = () => {
      streams.delete(stream);
      if (!streams.size && this.local.get(c.id) === streams) this.local.delete(c.id);
    };
    const backlog = await this.since(c, watermark);
    if (backlog.count) listener.send(backlog.set);
    sent = { epoch: backlog.epoch, upTo: backlog.watermark };
    const arrived = waiting;
    waiting = undefined;
    for (const [epoch, seq, set] of arrived) stream.deliver(epoch, seq, set);
    return stop;
  }

  async close(): Promise<void> {
    for (const streams of this.local.values()) for (const stream of streams) stream.close();
    this.local.clear();
    this.subscriber.disconnect();
  }
}
