// Follows a topic for the whole check run, so a step can wait for a record the moment it lands
// instead of reading the topic back from the start each time.
import type { Consumer } from '../clients/kafka.js';
import type { KafkaTools } from './kafka.js';

/** A record seen on the topic, with its arrival time (milliseconds since the run started). */
export interface TopicRecord {
  at: number;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** The value parsed as JSON, or the text when it is not JSON. */
  body: unknown;
}

export class TopicWatcher {
  readonly records: TopicRecord[] = [];
  private readonly listeners = new Set<() => void>();
  private failure?: Error;

  private constructor(private readonly consumer: Consumer) {}

  /** Starts reading `topic` from its beginning with a consumer group of the run (deleted at teardown). */
  static async start(kafka: KafkaTools, topic: string, groupId: string, clock: () => number): Promise<TopicWatcher> {
    kafka.trackGroup(groupId);
    const consumer = kafka.kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    const watcher = new TopicWatcher(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const value = message.value?.toString('utf8') ?? null;
          let body: unknown = value;
          try {
            body = value === null ? null : JSON.parse(value);
          } catch {
            // Kept as text; the step that reads it reports the bad JSON.
          }
          watcher.records.push({ at: clock(), partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, value, body });
          watcher.notify();
        },
      })
      .catch((error: Error) => {
        watcher.failure = error;
        watcher.notify();
      });
    return watcher;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once `predicate(records)` holds; otherwise calls `onTimeout` after `timeoutMs`. */
  waitUntil(predicate: (records: TopicRecord[]) => boolean, timeoutMs: number, onTimeout: () => never): Promise<void> {
    if (predicate(this.records)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.failure) {
          cleanup();
          reject(new Error(`reading the topic failed: ${this.failure.message}`));
        } else if (predicate(this.records)) {
          cleanup();
          resolve();
        }
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

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => {});
  }
}
