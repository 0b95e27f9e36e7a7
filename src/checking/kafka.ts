import { kafkaClient, type Admin, type Consumer, type Kafka, type Producer } from '../clients/kafka.js';
import type { Endpoints } from '../brokers/endpoints.js';
import { fail } from './failure.js';
import { removeGroupMembers } from './faults/kafka-members.js';
import { rewindGroupOffsets } from './faults/kafka-offsets.js';
import { KafkaCollector } from './kafka-collector.js';

/** A record the checker read back from a topic. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  keyBytes: Buffer | null;
  value: string | null;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * The checker's Kafka side of one run: creates the run's topics, produces input, reads topics
 * back in offset order, watches consumer groups, and deletes the run's topics and groups at teardown.
 */
export class KafkaTools {
  readonly kafka: Kafka;
  private adminClient?: Admin;
  private producerClient?: Producer;
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();
  private readerCount = 0;
  /** Set when teardown begins, so a step still running after Ctrl-C cannot create a topic or open a client that would outlive the run. */
  private closing = false;
  /** Set at the end of teardown. */
  private closed = false;

  constructor(
    endpoints: Endpoints,
    private readonly runId: string,
    debug = false,
  ) {
    this.kafka = kafkaClient({ brokers: endpoints.kafkaBrokers, security: endpoints.kafkaSecurity, clientId: `mq-course-checker-${runId}`, debug });
  }

  async admin(forTeardown = false): Promise<Admin> {
    if (this.closing && !forTeardown) throw new Error(`run ${this.runId} is over: its Kafka clients are disconnecting`);
    if (this.closed) throw new Error(`run ${this.runId} is over: its Kafka clients are disconnected`);
    if (!this.adminClient) {
      this.adminClient = this.kafka.admin();
      await this.adminClient.connect();
    }
    return this.adminClient;
  }

  /** Creates a topic and waits until every partition has a leader, so producers never race its creation. */
  async createTopic(topic: string, numPartitions: number): Promise<void> {
    this.topics.add(topic);
    await (await this.admin()).createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true, timeout: 10_000 });
  }

  /** Remembers a consumer group of the run, so teardown deletes it. */
  trackGroup(groupId: string): void {
    this.groups.add(groupId);
  }

  async produce(topic: string, messages: Array<{ key?: string; value: string; partition?: number }>): Promise<void> {
    if (this.closing) throw new Error(`run ${this.runId} is over: its Kafka clients are disconnected`);
    if (!this.producerClient) {
      this.producerClient = this.kafka.producer();
      await this.producerClient.connect();
    }
    await this.producerClient.send({ topic, messages });
  }

  /** Returns the high watermark (log end offset) of each partition. */
  async endOffsets(topic: string): Promise<Map<number, number>> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((entry) => [entry.partition, Number(entry.high)]));
  }

  async recordCount(topic: string): Promise<number> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
  }

  /**
   * Reads every record of a topic up to the end offsets found when called, in offset order per
   * partition. Uses a consumer group of its own, deleted at teardown.
   */
  async readAll(topic: string, timeoutMs = 15_000): Promise<KafkaRecord[]> {
    const ends = await this.endOffsets(topic);
    const remaining = new Map([...ends].filter(([, end]) => end > 0));
    const records: KafkaRecord[] = [];
    if (remaining.size === 0) return records;

    const groupId = `${this.runId}.checker-reader-${++this.readerCount}`;
    this.groups.add(groupId);
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic} back timed out after ${timeoutMs / 1000} s`)), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const offset = Number(message.offset);
              const end = remaining.get(partition);
              if (end === undefined || offset >= end) return;
              records.push(toRecord(topic, partition, offset, message.key, message.value, message.headers));
              if (offset + 1 >= end) remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => {});
    }
    return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  /** Polls the group until it is Stable with `count` members, each with an assignment. */
  async waitForGroupMembers(groupId: string, count: number, timeoutMs: number, who: string): Promise<void> {
    this.groups.add(groupId);
    const admin = await this.admin();
    const start = Date.now();
    let state = 'unknown';
    let members = 0;
    while (Date.now() - start < timeoutMs) {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      state = group?.state ?? 'unknown';
      members = group?.members.filter((member) => member.memberAssignment.length > 0).length ?? 0;
      if (state === 'Stable' && members === count) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    fail(`${who}: expected ${count} member(s) in consumer group "${groupId}" within ${(timeoutMs / 1000).toFixed(0)} s; the group is ${state} with ${members}.`);
  }

  /** Returns the committed offset of each partition for a group (-1 where none is committed). */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    const [entry] = await (await this.admin()).fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((partition) => [partition.partition, Number(partition.offset)]));
  }

  /** Deletes the run's consumer groups and topics (also any other named with the run id), then disconnects. Never throws. */
  async teardown(): Promise<void> {
    this.closing = true;
    try {
      await Promise.all(this.collectorConsumers.map((consumer) => consumer.disconnect().catch(() => {})));
      await this.producerClient?.disconnect().catch(() => {});
      const admin = await this.admin(true);
      const { groups } = await admin.listGroups();
      for (const group of groups) if (group.groupId.startsWith(this.runId)) this.groups.add(group.groupId);
      // Killed learner programs are still members until their session times out, and the broker refuses to delete a group with members.
      await removeGroupMembers(this.kafka, admin, [...this.groups]).catch(() => {});
      if (this.groups.size) await admin.deleteGroups([...this.groups]).catch(() => {});
      const topics = await admin.listTopics();
      for (const topic of topics) if (topic.startsWith(this.runId)) this.topics.add(topic);
      const existing = [...this.topics].filter((topic) => topics.includes(topic));
      if (existing.length) await admin.deleteTopics({ topics: existing, timeout: 10_000 }).catch(() => {});
    } catch {
      // Teardown must not hide the verdict; the next run's names differ anyway.
    } finally {
      await this.adminClient?.disconnect().catch(() => {});
      this.adminClient = undefined;
      this.closed = true;
    }
  }

  private readonly collectorConsumers: Consumer[] = [];

  /**
   * Starts reading a topic from its beginning into a collector, and keeps reading until teardown.
   * The topic must exist. Uses a consumer group of its own, deleted at teardown.
   */
  async collect(topic: string): Promise<KafkaCollector> {
    const collector = new KafkaCollector(topic);
    const groupId = `${this.runId}.checker-collector-${++this.readerCount}`;
    this.groups.add(groupId);
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    this.collectorConsumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        collector.add(toRecord(topic, partition, Number(message.offset), message.key, message.value, message.headers));
      },
    });
    return collector;
  }

  /** Lists the consumer groups whose id starts with the run id, except the checker's own. */
  async runGroups(): Promise<string[]> {
    const { groups } = await (await this.admin()).listGroups();
    return groups.map((group) => group.groupId).filter((id) => id.startsWith(`${this.runId}.`) && !id.startsWith(`${this.runId}.checker-`));
  }

  /** Returns a group's state and its members' client ids ("Dead" with none when the group does not exist). */
  async describeGroup(groupId: string): Promise<{ state: string; clientIds: string[] }> {
    const { groups } = await (await this.admin()).describeGroups([groupId]);
    return { state: groups[0]?.state ?? 'Dead', clientIds: groups[0]?.members.map((member) => member.clientId) ?? [] };
  }

  /**
   * Removes the members of a group at once (only those with `clientId`, when given), as the
   * coordinator does when their sessions time out. Use it after killing a program, so the others
   * take over, or the next one joins, without waiting for the timeout. Returns the removed member ids.
   */
  async removeMembers(groupId: string, clientId?: string): Promise<string[]> {
    this.groups.add(groupId);
    return removeGroupMembers(this.kafka, await this.admin(), [groupId], clientId);
  }

  /** Moves a group's committed offsets on a topic back to the earliest records. The group must have no members. */
  async rewindGroup(groupId: string, topic: string): Promise<void> {
    this.groups.add(groupId);
    await rewindGroupOffsets(this.kafka, await this.admin(), groupId, topic);
  }
}

function toRecord(topic: string, partition: number, offset: number, key: Buffer | null, value: Buffer | null, headers: Record<string, unknown> = {}): KafkaRecord {
  const text = value?.toString('utf8') ?? null;
  let body: unknown = text;
  try {
    body = text === null ? null : JSON.parse(text);
  } catch {
    // Kept as text; the step that reads it reports the bad JSON.
  }
  const headerText: Record<string, string> = {};
  for (const [name, header] of Object.entries(headers)) headerText[name] = String(header ?? '');
  return { topic, partition, offset, key: key?.toString('utf8') ?? null, keyBytes: key, value: text, body, headers: headerText };
}
