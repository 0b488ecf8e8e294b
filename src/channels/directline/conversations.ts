import type { Activity } from 'botbuilder';
import type { Conversation, ConversationStore, Listener } from './store.js';

/** What the routes hold of a conversation between calls to its store. */
export interface ConversationHandle {
  readonly id: string;
}

/** The activity set after a watermark, serialised, with how many activities it has and its watermark. */
export interface ActivitySet {
  set: string;
  count: number;
  watermark: number;
}

/**
 * Where Direct Line keeps its conversations: in this process (MemoryConversations, the default) or in Redis, shared
 * by every instance (RedisConversations, with REDIS_URL). The routes see only this.
 */
export interface DirectLineConversations<C extends ConversationHandle = ConversationHandle> {
  /** A new conversation, started by `address`. */
  create(address: string): Promise<C>;
  /** The conversation, or undefined when it is not kept (expired, forgotten). */
  get(id: string, address: string): Promise<C | undefined>;
  /** The conversation, started again under the same id if it was forgotten (a token outlived it). */
  getOrCreate(id: string, address: string): Promise<C>;
  /** The id given to the activity a client sent with this clientActivityID, if it was kept. */
  clientActivity(conversation: C, clientId: string): Promise<string | undefined>;
  /**
   * Keeps the person's activity (and its clientActivityID): its id, or, when that clientActivityID was kept
   * meanwhile, the id it was given then (`known`), and nothing is kept.
   */
  post(conversation: C, activity: Partial<Activity>, clientId: string | undefined): Promise<{ id: string; known: boolean }>;
  /** Keeps activities (the bot's answers), tells the conversation's streams, and returns their ids. */
  append(conversation: C, activities: Partial<Activity>[]): Promise<string[]>;
  /** The activity set after a watermark (all kept activities when none is given). */
  since(conversation: C, watermark: string | undefined): Promise<ActivitySet>;
  /**
   * Opens a stream: `listener` is sent what was kept after `watermark`, then every new activity set; undefined when
   * the conversation has `max` streams open already. Returns what closes it.
   */
  listen(conversation: C, listener: Listener, watermark: string | undefined, max: number): Promise<(() => void) | undefined>;
  /** Ends what the store holds open (connections), when the server closes. */
  close(): Promise<void>;
}

/** Direct Line conversations in this process: the bounded ConversationStore, as it is. */
export class MemoryConversations implements DirectLineConversations<Conversation> {
  constructor(readonly store: ConversationStore) {}

  async create(address: string): Promise<Conversation> {
    return this.store.create(address);
  }

  async get(id: string): Promise<Conversation | undefined> {
    return this.store.get(id);
  }

  async getOrCreate(id: string, address: string): Promise<Conversation> {
    return this.store.getOrCreate(id, address);
  }

  async clientActivity(conversation: Conversation, clientId: string): Promise<string | undefined> {
    return conversation.clientIds.get(clientId);
  }

  async post(conversation: Conversation, activity: Partial<Activity>, clientId: string | undefined): Promise<{ id: string; known: boolean }> {
    const known = clientId ? conversation.clientIds.get(clientId) : undefined;
    if (known) return { id: known, known: true };
    const [id] = this.store.append(conversation, [activity]);
    if (clientId) this.store.remember(conversation, clientId, id!);
    return { id: id!, known: false };
  }

  async append(conversation: Conversation, activities: Partial<Activity>[]): Promise<string[]> {
    return this.store.append(conversation, activities);
  }

  async since(conversation: Conversation, watermark: string | undefined): Promise<ActivitySet> {
    return { ...this.store.since(conversation, watermark), watermark: conversation.seq };
  }

  async listen(conversation: Conversation, listener: Listener, watermark: string | undefined, max: number): Promise<(() => void) | undefined> {
    if (conversation.listeners.size >= max) return undefined;
    const backlog = this.store.since(conversation, watermark);
    if (backlog.count) listener.send(backlog.set);
    conversation.listeners.add(listener);
    return () => void conversation.listeners.delete(listener);
  }

  async close(): Promise<void> {}
}
