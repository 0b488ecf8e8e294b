import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { LRUCache } from 'lru-cache';

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
  /** The latest activities, oldest first; older ones are dropped past a bound. */
  readonly activities: Stored[];
  /** Sequence number of the last activity: the watermark clients resume from. */
  seq: number;
  /** Client activity ids already received, so that a client's retry is not answered twice. */
  readonly clientIds: Map<string, string>;
  readonly listeners: Set<Listener>;
  /** Characters of stored activity JSON, for the memory budget. */
  chars: number;
}

export interface StoreOptions {
  ttlMs: number;
  max: number;
  /** Activities kept per conversation for clients that reconnect or poll (Web Chat keeps its own transcript). */
  history: number;
  /** Memory all conversations may use, in bytes; past it the least recently active ones are forgotten. */
  maxBytes: number;
}

/** Fixed cost of a conversation besides its activities (maps, sets, ids), in bytes. */
const CONVERSATION_OVERHEAD = 2_000;
/** Distinct activity contents kept for sharing (answers are few; user messages mostly unique). */
const SHARED_CONTENTS = 20_000;

/**
 * Direct Line conversations in memory: bounded in number and in bytes, forgotten when idle, each with a bounded
 * history, so memory stays flat however many people chat.
 */
export class ConversationStore {
  /**
   * Each entry wraps its conversation: lru-cache only recomputes an entry's size when a different value is set,
   * so a conversation that grew is set again in a new wrapper.
   */
  private readonly conversations: LRUCache<string, { conversation: Conversation }>;
  private readonly contents = new Map<string, string>();

  constructor(private readonly options: StoreOptions) {
    this.conversations = new LRUCache({
      max: options.max,
      ttl: options.ttlMs,
      updateAgeOnGet: true,
      maxSize: options.maxBytes,
      // JavaScript strings take two bytes a character.
      sizeCalculation: ({ conversation }) => CONVERSATION_OVERHEAD + 2 * conversation.chars,
      // A conversation set again (its size changed) is not gone.
      noDisposeOnSet: true,
      dispose: ({ conversation }) => {
        for (const listener of conversation.listeners) listener.close();
        conversation.listeners.clear();
      },
    });
  }

  create(id: string = randomUUID()): Conversation {
    const conversation: Conversation = { id, activities: [], seq: 0, clientIds: new Map(), listeners: new Set(), chars: 0 };
    this.conversations.set(id, { conversation });
    return conversation;
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id)?.conversation;
  }

  /** The conversation, started again under the same id if it was forgotten (a token outlived it). */
  getOrCreate(id: string): Conversation {
    return this.get(id) ?? this.create(id);
  }

  get size(): number {
    return this.conversations.size;
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
      const shared = this.contents.get(fresh);
      if (!shared) {
        if (this.contents.size >= SHARED_CONTENTS) this.contents.clear();
        this.contents.set(fresh, fresh);
      }
      return { seq: conversation.seq, own: own.slice(0, -1), content: shared ?? fresh, chars: own.length + (shared ? 0 : fresh.length) };
    });
    conversation.activities.push(...stored);
    conversation.chars += stored.reduce((n, s) => n + s.chars, 0);
    const excess = conversation.activities.length - this.options.history;
    if (excess > 0) conversation.chars -= conversation.activities.splice(0, excess).reduce((n, s) => n + s.chars, 0);
    if (conversation.listeners.size) {
      const set = activitySet(stored.map(json), conversation.seq);
      for (const listener of conversation.listeners) listener.send(set);
    }
    // Set again so that the memory budget sees the new size (and evicts others if it must).
    if (this.conversations.has(conversation.id)) this.conversations.set(conversation.id, { conversation });
    return ids;
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
