/** What one address holds: its conversations' sizes, least recently active first. */
export interface Share {
  readonly address: string;
  /** Conversation id → bytes; a Map keeps insertion order, and `touch` re-inserts, so the first is the idlest. */
  readonly sizes: Map<string, number>;
  bytes: number;
  /** ⌊log₂ bytes⌋: the address's place among the others (-1 when it holds nothing). */
  weight: number;
}

/**
 * Memory held per address, to decide whose conversation goes when memory runs short: always one of the address
 * holding the most (give or take a factor of two), its least recently active. So an address's own traffic can only
 * push out its own conversations, or those of an address holding at least half as much as it does: someone with
 * one conversation is not pushed out by someone opening hundreds.
 *
 * Addresses are kept in buckets by the power of two of their bytes, so that finding the heaviest costs a few steps
 * however many addresses there are.
 */
export class Shares {
  /** Bytes held by all addresses. */
  total = 0;
  private readonly shares = new Map<string, Share>();
  private readonly byWeight: Set<Share>[] = [];

  /** Counts a new conversation for its address. */
  add(address: string, id: string, bytes: number): Share {
    let share = this.shares.get(address);
    if (!share) this.shares.set(address, (share = { address, sizes: new Map(), bytes: 0, weight: -1 }));
    share.sizes.set(id, 0);
    this.resize(share, id, bytes);
    return share;
  }

  resize(share: Share, id: string, bytes: number): void {
    const before = share.sizes.get(id);
    if (before === undefined) return;
    share.sizes.set(id, bytes);
    this.weigh(share, bytes - before);
  }

  /** The conversation was active: it becomes its address's last to go. */
  touch(share: Share, id: string): void {
    const bytes = share.sizes.get(id);
    if (bytes === undefined) return;
    share.sizes.delete(id);
    share.sizes.set(id, bytes);
  }

  remove(share: Share, id: string): void {
    const bytes = share.sizes.get(id);
    if (bytes === undefined) return;
    share.sizes.delete(id);
    this.weigh(share, -bytes);
    if (!share.sizes.size) this.shares.delete(share.address);
  }

  /** The conversation to forget when memory runs short: the idlest of the address holding the most. */
  victim(): { share: Share; id: string } | undefined {
    for (let weight = this.byWeight.length - 1; weight >= 0; weight--) {
      const share = this.byWeight[weight]?.values().next().value;
      const id = share?.sizes.keys().next().value;
      if (share && id !== undefined) return { share, id };
    }
    return undefined;
  }

  private weigh(share: Share, delta: number): void {
    share.bytes += delta;
    this.total += delta;
    const weight = share.bytes > 0 ? Math.floor(Math.log2(share.bytes)) : -1;
    if (weight === share.weight) return;
    this.byWeight[share.weight]?.delete(share);
    if (weight >= 0) (this.byWeight[weight] ??= new Set()).add(share);
    share.weight = weight;
  }
}
