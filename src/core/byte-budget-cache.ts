/**
 * A least-recently-used cache bounded by the bytes its values hold, for
 * pixel arrays the app may read again (the series' aligned dates): a value
 * counts the bytes it was stored with; storing past the budget drops the
 * least recently used values first, and a value larger than the whole budget
 * is not kept at all.
 */
export class ByteBudgetCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly bytes: number }>();
  private heldBytes = 0;

  constructor(readonly budgetBytes: number) {
    if (!(budgetBytes >= 0))
      throw new Error(`A cache budget must be ≥ 0 bytes (got ${budgetBytes})`);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.heldBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores (or replaces) a value; returns whether it was kept. */
  set(key: string, value: V, bytes: number): boolean {
    if (!(bytes >= 0)) throw new Error(`A cached value must hold ≥ 0 bytes (got ${bytes})`);
    this.delete(key);
    if (bytes > this.budgetBytes) return false;
    while (this.heldBytes + bytes > this.budgetBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, { value, bytes });
    this.heldBytes += bytes;
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }
}
