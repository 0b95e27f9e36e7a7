import { javaDefaultPartition, legacyPartition } from '../../src/clients/kafka.js';
import { fail } from '../../src/checking/failure.js';
import type { KafkaRecord } from '../../src/checking/kafka.js';
import { defineCheck, type CheckContext } from '../../src/checking/types.js';

const PARTITIONS = 6;
const ORDERS = 8;
const EVENTS_PER_ORDER = 5;
const BULK_LINES = 10_000;
const EVENT_TYPES = ['OrderCreated', 'OrderPaid', 'OrderPacked', 'OrderShipped', 'OrderDelivered'];

export const mistakes = {
  noKey: 'no-key',
  legacyPartitioner: 'legacy-partitioner',
  keyEncoding: 'key-encoding',
  unawaitedSends: 'unawaited-sends',
} as const;

interface OrderLine {
  orderId: string;
  seq: number;
  type: string;
}

/**
 * Order ids for which the Java hash and kafkajs's legacy hash pick different partitions, so a
 * producer on the wrong partitioner cannot pass by luck.
 */
export function distinguishingOrderIds(prefix: string, count: number): string[] {
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n++) {
    const id = `${prefix}-o${n}`;
    if (javaDefaultPartition(id, PARTITIONS) !== legacyPartition(id, PARTITIONS)) ids.push(id);
  }
  return ids;
}

function orderLines(orderIds: string[], perOrder: number): OrderLine[] {
  const lines: OrderLine[] = [];
  // Interleaved (o1 seq 1, o2 seq 1, ..., o1 seq 2, ...) so per-key order is not a side effect of input order.
  for (let seq = 1; seq <= perOrder; seq++) {
    for (const orderId of orderIds) lines.push({ orderId, seq, type: EVENT_TYPES[(seq - 1) % EVENT_TYPES.length] });
  }
  return lines;
}

async function runProducer(context: CheckContext, name: string, topic: string, lines: OrderLine[], exitWindowMs: number) {
  const producer = context.spawn({
    name,
    program: 'order-producer.ts',
    env: { ORDERS_TOPIC: topic },
    input: lines.map((line) => JSON.stringify(line)).join('\n') + '\n',
    exits: true,
  });
  context.trace(`piped ${lines.length} lines into ${name} for topic ${topic} (${PARTITIONS} partitions)`);
  const exit = await producer.waitForExit(exitWindowMs);
  const done = producer.events.find((event) => event.event === 'done');
  context.trace(`${name} exited with ${exit.signal ?? `code ${exit.code}`}`);
  if (exit.code !== 0) fail(`${name} exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}; it must exit with 0 once every record is acknowledged.`, { next: 'read its output below' });
  return { reportedSent: typeof done?.sent === 'number' ? done.sent : undefined };
}

function failMissing(count: number, expected: number, reportedSent: number | undefined): never {
  if (count === 0 && reportedSent === 0) {
    fail(`The topic is empty: the program read its ${expected} input lines and produced nothing.`, {
      expected: `${expected} records`,
      actual: '0 records',
      next: 'complete the TODOs in order-producer.ts: connect a producer, send each line as a keyed event, await the sends, disconnect',
    });
  }
  fail(`The topic has ${count} of ${expected} records after the program exited: it exited before its sends were acknowledged.`, {
    mistake: mistakes.unawaitedSends,
    expected: `${expected} records`,
    actual: `${count} records`,
    next: 'await every producer.send(...) (or collect the promises and await them all), then await producer.disconnect() before the program ends',
  });
}

function checkEnvelopes(records: KafkaRecord[]): void {
  const ids = new Set<unknown>();
  for (const record of records) {
    const body = record.body as Record<string, unknown> | null;
    const missing = ['id', 'type', 'source', 'time', 'subject', 'data'].filter((field) => typeof body !== 'object' || body === null || !(field in body));
    if (missing.length) {
      fail(`The record at partition ${record.partition}, offset ${record.offset} is not an event envelope (missing ${missing.join(', ')}): ${record.value?.slice(0, 200)}`, {
        expected: '{ id, type, source, time, subject, data }, made with envelope() from lib/course.ts',
        next: 'produce JSON.stringify(envelope(order.type, "order-producer", order.orderId, order)) as the value',
      });
    }
    if (ids.has(body!.id)) fail(`Two records share the envelope id ${String(body!.id)}; each event needs its own id.`, { next: 'let envelope() generate the id' });
    ids.add(body!.id);
  }
}

/** Finds the first record whose key is not the plain order id, and names the mistake. */
function checkKeys(records: KafkaRecord[]): void {
  for (const record of records) {
    const orderId = ((record.body as { data?: OrderLine }).data ?? {}).orderId;
    if (record.key === null) {
      fail(`The record at partition ${record.partition}, offset ${record.offset} has no key, so the events of order ${orderId} are spread over partitions and lose their order.`, {
        mistake: mistakes.noKey,
        expected: `key "${orderId}"`,
        actual: 'key null',
        next: 'give every message key: order.orderId',
      });
    }
    if (record.key !== orderId) {
      const quoted = record.key === JSON.stringify(orderId);
      fail(`The record for order ${orderId} has the key ${JSON.stringify(record.key)}${quoted ? ', the order id encoded as JSON (with quotes)' : ''}. Other clients hash the bytes of the plain id, so they expect this order in another partition.`, {
        mistake: mistakes.keyEncoding,
        expected: `key ${JSON.stringify(orderId)} (the order id as a plain string)`,
        actual: `key ${JSON.stringify(record.key)}`,
        next: 'use key: order.orderId, without JSON.stringify or other encoding',
      });
    }
  }
}

function checkPartitionsAndOrder(records: KafkaRecord[]): void {
  const byKey = new Map<string, KafkaRecord[]>();
  for (const record of records) byKey.set(record.key!, [...(byKey.get(record.key!) ?? []), record]);
  for (const [key, keyed] of byKey) {
    const partitions = [...new Set(keyed.map((record) => record.partition))];
    const expected = javaDefaultPartition(key, PARTITIONS);
    if (partitions.length > 1 || partitions[0] !== expected) {
      const legacy = legacyPartition(key, PARTITIONS);
      const isLegacy = partitions.length === 1 && partitions[0] === legacy;
      fail(`The events of order ${key} are in partition ${partitions.join(' and ')}, but the Java client's default partitioner puts key ${key} in partition ${expected} of ${PARTITIONS}.${isLegacy ? ' That is where kafkajs\'s LegacyPartitioner puts it.' : ''}`, {
        mistake: mistakes.legacyPartitioner,
        expected: `partition ${expected} (murmur2, as the Java client)`,
        actual: `partition ${partitions.join(', ')}`,
        next: 'create the producer with kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })',
      });
    }
    const seqs = keyed.sort((a, b) => a.offset - b.offset).map((record) => (record.body as { data: OrderLine }).data.seq);
    if (seqs.some((seq, index) => index > 0 && seq < seqs[index - 1])) {
      fail(`The events of order ${key} are out of order in partition ${partitions[0]}: seq ${seqs.join(', ')} by offset.`, {
        expected: `seq 1 to ${seqs.length} in offset order`,
        next: 'send in input order and await each send (or batch) before the next',
      });
    }
  }
}

export default defineCheck({
  brokers: ['kafka'],
  steps: [
    {
      id: 'keys',
      title: `${ORDERS * EVENTS_PER_ORDER} order events: one record each, keyed, in the Java partitioner's partition, in order`,
      timeoutMs: 45_000,
      async run(context) {
        const topic = context.name('orders');
        await context.kafka.createTopic(topic, PARTITIONS);
        const orderIds = distinguishingOrderIds(context.runId.slice(-6), ORDERS);
        const lines = orderLines(orderIds, EVENTS_PER_ORDER);
        const { reportedSent } = await runProducer(context, 'order-producer', topic, lines, 20_000);

        const records = await context.kafka.readAll(topic);
        context.trace(`read back ${records.length} records from ${topic}: ${records.slice(0, 4).map((record) => `p${record.partition}@${record.offset} key=${JSON.stringify(record.key)}`).join(', ')}${records.length > 4 ? ', ...' : ''}`);
        if (records.length < lines.length) failMissing(records.length, lines.length, reportedSent);
        if (records.length > lines.length) fail(`The topic has ${records.length} records for ${lines.length} input lines: some lines were produced twice.`, { next: 'produce each line exactly once' });
        checkEnvelopes(records);
        checkKeys(records);
        checkPartitionsAndOrder(records);
      },
    },
    {
      id: 'bulk',
      title: `${BULK_LINES.toLocaleString('en-US')} lines: every record acknowledged before exit`,
      timeoutMs: 60_000,
      async run(context) {
        const topic = context.name('bulk');
        await context.kafka.createTopic(topic, PARTITIONS);
        const orderIds = Array.from({ length: 200 }, (_, index) => `${context.runId.slice(-6)}-b${index + 1}`);
        const { reportedSent } = await runProducer(context, 'order-producer', topic, orderLines(orderIds, BULK_LINES / orderIds.length), 45_000);
        const count = await context.kafka.recordCount(topic);
        context.trace(`${topic} holds ${count} records`);
        if (count < BULK_LINES) failMissing(count, BULK_LINES, reportedSent);
      },
    },
  ],
});
