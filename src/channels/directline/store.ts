import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import { Shares, type Share } from './shares.js';

/** A stream subscriber: told each activity set, serialised (`{"activities": […], "watermark"}`), or that it ends. */
export interface Listener {
  send(activitySet: string): void;
  /** The conversation was forgotten (idle, or the memory budget): its streams close. */
  close(): void;
}

/**
 * A stored activity, serialised once: what is its own (id, time, reply-to) apart from its content, which is
 * shared between all the conversations given the same answer (one string, however many people ask).
 */
interface Stored {
  readonly seq: number;
  /** `{"id":…,"timestamp":…,…` without the closing brace. */
  readonly own: string;
  /** `"type":"message",…}`: the content, without the opening brace. */
  readonly content: string;
  /** Characters this activity adds to memory (shared content is counted once, where it is first stored). */
  readonly chars: number;
}

const json = (s: Stored) => `${s.own},${s.content}`;

export interface Conversation {
  readonly id: string;
  /** The address that started it (`request.ip`): its memory counts against that address's share. */
  readonly address: string;
  /** The latest activities, oldest first; older ones are dropped past a bound. */
  readonly activities: Stored[];
  /** Sequence number of the last activity: the watermark clients resume from. */
  seq: number;
  /** Client activity ids of the latest activities, so that a client's retry is not answered twice (see `remember`). */
  readonly clientIds: ReadonlyMap<string, string>;
  readonly listeners: Set<Listener>;
  /** Characters held (activity JSON, client ids), for the memory budgets. */
  chars: number;
}

export interface StoreOptions {
  ttlMs: number;
  /** Conversations in all. */
  max: number;
  /** Activities kept per conversation for clients that reconnect or poll (Web Chat keeps its own transcript). */
  history: number;
  /** Memory all conversations may use, in bytes; past it the address holding the most gives one up (see Shares). */
  maxBytes: number;
  /** Conversations one address may hold; past it that address's least recently active one is forgotten. */
  maxPerAddress: number;
  /** Memory one conversation may use, in bytes; past it its oldest activities go (default CONVERSATION_BYTES). */
  conversationBytes?: number;
}

/** Fixed cost of a conversation besides its activities (maps, sets, ids), in bytes. */
const CONVERSATION_OVERHEAD = 2_000;
/**
 * Memory one conversation may hold. Its 8 latest activities fit several times over (a message's text is cut to what
 * the engine reads, 1,000 characters; an answer is a few kB): the bound only matters to someone stuffing every
 * other field.
 */
const CONVERSATION_BYTES = 64 * 1024;
/** Client activity ids remembered per conversation: a client retries its latest messages, not old ones. */
const CLIENT_IDS_KEPT = 32;
/** Distinct answer contents kept for sharing (answers are few; user messages, mostly unique, are not shared). */
const SHARED_CONTENTS = 20_000;

interface Entry {
  readonly conversation: Conversation;
  readonly share: Share;
}

/**
 * Direct Line conversations in memory, bounded so that memory stays flat however many people chat, and so that
 * nobody's traffic pushes out someone else's conversation:
 * - a conversation holds its latest activities, within `history` and `conversationBytes`;
 * - an address holds at most `maxPerAddress` conversations: past it, its own least recently active one goes;
 * - past `maxBytes` (or `max` conversations) in all, the address holding the most memory gives up its least
 *   recently active one (see Shares);
 * - a conversation idle for `ttlMs` is forgotten.
 * A forgotten conversation's streams are closed; its token can start it again (getOrCreate).
 */
export class ConversationStore {
  /**
   * Minutes of conversations an address may hold at its full rate of starting them (CONVERSATIONS_PER_MINUTE):
   * `maxPerAddress` is that rate times this, 200 by default. A school or a mobile network behind one address starts
   * no more than the rate allows anyway; someone starting them as fast as allowed recycles their own.
   */
  static readonly ADDRESS_MINUTES = 10;

  private readonly conversations: LRUCache<string, Entry>;
  private readonly shares = new Shares();
  private readonly contents = new Map<string, string>();
  /** Characters of activities and client ids one conversation may hold. */
  private readonly maxChars: number;

  constructor(private readonly options: StoreOptions) {
    this.maxChars = ((options.conversationBytes ?? CONVERSATION_BYTES) - CONVERSATION_OVERHEAD) / 2;
    this.conversations = new LRUCache({
      // Never reached: the store forgets conversations itself, choosing whose (makeRoom) before lru-cache would.
      max: options.max + 1,
      ttl: options.ttlMs,
      // Idle ones leave memory when their time is up, not when next asked for.
      ttlAutopurge: true,
      updateAgeOnGet: true,
      dispose: ({ conversation, share }) => {
        this.shares.remove(share, conversation.id);
        for (const listener of conversation.listeners) listener.close();
        conversation.listeners.clear();
      },
    });
  }

  create(address: string, id: string = randomUUID()): Conversation {
    this.conversations.delete(id);
    const conversation: Conversation = { id, address, activities: [], seq: 0, clientIds: new Map(), listeners: new Set(), chars: 0 };
    const share = this.shares.add(address, id, CONVERSATION_OVERHEAD);
    this.conversations.set(id, { conversation, share });
    // Past its share, an address recycles its own conversations.
    while (share.sizes.size > this.options.maxPerAddress) this.forget(share, share.sizes.keys().next().value!);
    this.makeRoom();
    return conversation;
  }

  get(id: string): Conversation | undefined {
    const entry = this.conversations.get(id);
    if (entry) this.shares.touch(entry.share, id);
    return entry?.conversation;
  }

  /** The conversation, started again under the same id if it was forgotten (a token outlived it). */
  getOrCreate(id: string, address: string): Conversation {
    return this.get(id) ?? this.create(address, id);
  }

  get size(): number {
    return this.conversations.size;
  }

  /** Bytes all conversations hold (an estimate: two bytes a character, plus a fixed cost each). */
  get bytes(): number {
    return this.shares.total;
  }

  /** Remembers the id given to a client's activity, so that a retry of it gets the same id instead of an answer. */
  remember(conversation: Conversation, clientId: string, activityId: string): void {
    const ids = conversation.clientIds as Map<string, string>;
    if (ids.has(clientId)) return;
    ids.set(clientId, activityId);
    conversation.chars += clientId.length + activityId.length;
    if (ids.size > CLIENT_IDS_KEPT) {
      const [oldest, id] = ids.entries().next().value!;
      ids.delete(oldest);
      conversation.chars -= oldest.length + id.length;
    }
    this.resize(conversation);
  }

  /**
   * Stores activities with ids and timestamps, tells the conversation's streams, and returns the ids. Activities
   * are kept as JSON strings: one string per activity instead of an object tree keeps the garbage collector idle.
   */
  append(conversation: Conversation, activities: Partial<Activity>[]): string[] {
    const ids: string[] = [];
    const stored = activities.map((a): Stored => {
      conversation.seq += 1;
      const id = `${conversation.id}|${String(conversation.seq).padStart(7, '0')}`;
      ids.push(id);
      const { replyToId, ...rest } = a;
      const own = JSON.stringify({ id, timestamp: new Date(), channelId: 'directline', conversation: { id: conversation.id }, ...(replyToId ? { replyToId } : {}) });
      const fresh = JSON.stringify(rest).slice(1);
      // Answers are shared (counted where first stored); what people write is theirs alone, and would only fill the map.
      const shared = a.from?.role === 'bot' ? this.shared(fresh) : undefined;
      return { seq: conversation.seq, own: own.slice(0, -1), content: shared ?? fresh, chars: own.length + (shared ? 0 : fresh.length) };
    });
    conversation.activities.push(...stored);
    conversation.chars += stored.reduce((n, s) => n + s.chars, 0);
    // The oldest go past the history or the conversation's memory; the newest stays, whatever its size.
    while (conversation.activities.length > this.options.history || (conversation.chars > this.maxChars && conversation.activities.length > 1))
      conversation.chars -= conversation.activities.shift()!.chars;
    if (conversation.listeners.size) {
      const set = activitySet(stored.map(json), conversation.seq);
      for (const listener of conversation.listeners) listener.send(set);
    }
    this.resize(conversation);
    return ids;
  }

  /** The copy of an answer's content already kept, or undefined when it is new (it is kept from now on). */
  private shared(content: string): string | undefined {
    const known = this.contents.get(content);
    if (known) return known;
    if (this.contents.size >= SHARED_CONTENTS) this.contents.clear();
    this.contents.set(content, content);
    return undefined;
  }

  /** Tells the budgets a conversation's new size, and makes room if memory is now short. */
  private resize(conversation: Conversation): void {
    const entry = this.conversations.peek(conversation.id);
    // Forgotten meanwhile (or started again under the same id): nothing of it is counted any more.
    if (entry?.conversation !== conversation) return;
    this.shares.resize(entry.share, conversation.id, CONVERSATION_OVERHEAD + 2 * conversation.chars);
    this.shares.touch(entry.share, conversation.id);
    this.makeRoom();
  }

  /** Past the budgets, the address holding the most gives up its least recently active conversation, until within. */
  private makeRoom(): void {
    while (this.shares.total > this.options.maxBytes || this.conversations.size > this.options.max) {
      const victim = this.shares.victim();
      if (!victim) return;
      this.forget(victim.share, victim.id);
    }
  }

  private forget(share: Share, id: string): void {
    // Through lru-cache, whose dispose closes the streams and takes the conversation off its address's share (and
    // off the share directly should lru-cache no longer know it, so that making room always progresses).
    if (!this.conversations.delete(id)) this.shares.remove(share, id);
  }

  /** The activity set after a watermark (all kept activities when none is given), serialised. */
  since(conversation: Conversation, watermark: string | undefined): { set: string; count: number } {
    const after = Number(watermark ?? 0) || 0;
    const jsons = conversation.activities.filter((a) => a.seq > after).map(json);
    return { set: activitySet(jsons, conversation.seq), count: jsons.length };
  }
}

function activitySet(jsons: string[], watermark: number): string {
  return `{"activities":[${jsons.join(',')}],"watermark":"${watermark}"}`;
}
