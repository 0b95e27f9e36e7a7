import type { KafkaRecord } from './kafka.js';

/**
 * Records arriving on one topic, read from the beginning by a consumer of the checker that runs
 * until teardown (KafkaTools.collect). Records of one partition arrive in offset order.
 */
export class KafkaCollector {
  readonly records: KafkaRecord[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(readonly topic: string) {}

  add(record: KafkaRecord): void {
    this.records.push(record);
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once `predicate(records)` holds; otherwise calls `onTimeout` after `timeoutMs`. */
  waitUntil(predicate: (records: KafkaRecord[]) => boolean, timeoutMs: number, onTimeout: () => never): Promise<void> {
    if (predicate(this.records)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        let done: boolean;
        try {
          done = predicate(this.records);
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
