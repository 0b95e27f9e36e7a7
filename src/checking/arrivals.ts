/**
 * Items arriving over time (messages on a queue, records on a topic), in arrival order, that a
 * step can wait on with a stated window.
 */
export class Arrivals<Item> {
  protected readonly items: Item[] = [];
  private readonly listeners = new Set<() => void>();

  add(item: Item): void {
    this.items.push(item);
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * Resolves once `predicate(items)` holds, checked on every arrival; otherwise calls `onTimeout`
   * after `timeoutMs` and rejects with what it throws. A predicate that throws rejects at once.
   */
  waitUntil(predicate: (items: Item[]) => boolean, timeoutMs: number, onTimeout: () => never): Promise<void> {
    if (predicate(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        let done: boolean;
        try {
          done = predicate(this.items);
        } catch (error) {
          cleanup();
          reject(error);
          return;
        }
        if (!done) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        try {
          onTimeout();
        } catch (error) {
          reject(error);
        }
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }
}
