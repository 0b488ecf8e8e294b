import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { LRUCache } from 'lru-cache';

/** What a stream subscriber is told: an activity set, already serialised (`{"activities": […], "watermark"}`). */
export type Listener = (activitySet: string) => void;

/** A stored activity: its sequence number and its JSON, serialised once when stored. */
interface Stored {
  readonly seq: number;
  readonly json: string;
}

export interface Conversation {
  readonly id: string;
  /** The latest activities, oldest first; older ones are dropped past a bound. */
  readonly activities: Stored[];
  /** Sequence number of the last activity: the watermark clients resume from. */
  seq: number;
  /** Client activity ids already received, so that a client's retry is not answered twice. */
  readonly clientIds: Map<string, string>;
  readonly listeners: Set<Listener>;
}

export interface StoreOptions {
  ttlMs: number;
  max: number;
  /** Activities kept per conversation for clients that reconnect or poll. */
  history: number;
}

/**
 * Direct Line conversations in memory: bounded in number, forgotten when idle, each with a bounded history,
 * so memory stays flat however many people chat.
 */
export class ConversationStore {
  private readonly conversations: LRUCache<string, Conversation>;

  constructor(private readonly options: StoreOptions) {
    this.conversations = new LRUCache({
      max: options.max,
      ttl: options.ttlMs,
      updateAgeOnGet: true,
      dispose: (conversation) => conversation.listeners.clear(),
    });
  }

  create(id: string = randomUUID()): Conversation {
    const conversation: Conversation = { id, activities: [], seq: 0, clientIds: new Map(), listeners: new Set() };
    this.conversations.set(id, conversation);
    return conversation;
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
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
    const stored = activities.map((a) => {
      conversation.seq += 1;
      const id = `${conversation.id}|${String(conversation.seq).padStart(7, '0')}`;
      ids.push(id);
      const activity: Partial<Activity> = { ...a, id, timestamp: new Date(), channelId: 'directline', conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' } };
      return { seq: conversation.seq, json: JSON.stringify(activity) };
    });
    conversation.activities.push(...stored);
    if (conversation.activities.length > this.options.history) conversation.activities.splice(0, conversation.activities.length - this.options.history);
    if (conversation.listeners.size) {
      const set = activitySet(stored.map((s) => s.json), conversation.seq);
      for (const listener of conversation.listeners) listener(set);
    }
    return ids;
  }

  /** The activity set after a watermark (all kept activities when none is given), serialised. */
  since(conversation: Conversation, watermark: string | undefined): { set: string; count: number } {
    const after = Number(watermark ?? 0) || 0;
    const jsons = conversation.activities.filter((a) => a.seq > after).map((a) => a.json);
    return { set: activitySet(jsons, conversation.seq), count: jsons.length };
  }
}

function activitySet(jsons: string[], watermark: number): string {
  return `{"activities":[${jsons.join(',')}],"watermark":"${watermark}"}`;
}
