// Evidence for the outbox check: the records on the topic, the rows in the learner's database,
// and the diagnoses drawn from comparing them.
import { fail } from '../../src/checking/failure.js';
import type { TopicRecord } from '../../src/checking/outbox-topic.js';
import { outboxRowsFor, readOutboxDb, type OutboxRecord, type OutboxSnapshot } from '../../src/checking/sqlite-outbox.js';
import { mistakes, type Context, type OrderLine } from './08-outbox-programs.js';

interface Envelope {
  id?: unknown;
  type?: unknown;
  subject?: unknown;
  data?: { orderId?: unknown; customerId?: unknown; amountCents?: unknown };
}

function envelopeOf(record: TopicRecord): Envelope {
  return typeof record.body === 'object' && record.body !== null ? (record.body as Envelope) : {};
}

/** Returns the records that carry an event about `orderId` (by key, or by the order id inside). */
export function recordsFor(context: Context, orderId: string): TopicRecord[] {
  return context.state.watcher!.records.filter((record) => record.key === orderId || envelopeOf(record).data?.orderId === orderId);
}

export function distinctIds(records: TopicRecord[]): string[] {
  return [...new Set(records.map((record) => String(envelopeOf(record).id)))];
}

export function snapshot(context: Context): OutboxSnapshot {
  return readOutboxDb(context.state.dbFile);
}

function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

export function describeRecord(record: TopicRecord): string {
  const body = envelopeOf(record);
  return `p${record.partition}@${record.offset} key=${record.key ?? 'null'} ${String(body.type ?? '?')} id ${short(String(body.id))}`;
}

/** Waits until each order has at least `count` records on the topic. On timeout, fails with the reason the database shows. */
export async function expectPublished(context: Context, orderIds: string[], windowMs: number, options: { count?: number; afterCrashAfterCommit?: boolean } = {}): Promise<void> {
  const count = options.count ?? 1;
  const watcher = context.state.watcher!;
  const missing = () => orderIds.filter((orderId) => recordsFor(context, orderId).length < count);
  await watcher.waitUntil(() => missing().length === 0, windowMs, () => diagnoseMissing(context, missing(), windowMs, options.afterCrashAfterCommit ?? false));
  for (const orderId of orderIds) context.trace(`  topic: ${orderId} → ${recordsFor(context, orderId).map(describeRecord).join(', ')}`);
}

function diagnoseMissing(context: Context, missing: string[], windowMs: number, afterCrashAfterCommit: boolean): never {
  const db = snapshot(context);
  const orderId = missing[0];
  const rows = outboxRowsFor(db, orderId);
  const within = `within ${windowMs / 1000} s`;
  const lastError = [...(context.state.relay?.events ?? [])].reverse().find((event) => event.event === 'publish-failed' || event.event === 'connect-failed');
  const relayError = lastError ? ` Its last error: ${String(lastError.error)}.` : '';

  if (!db.orders.has(orderId)) {
    fail(`No event for ${orderId} reached the topic ${within}, and ${orderId} is not in the orders table (${db.problem ?? 'the order was never committed'}).`, {
      next: 'commit the order and its outbox row in one transaction before you report accepted',
    });
  }
  if (rows.length === 0 && afterCrashAfterCommit) {
    fail(`${orderId} was committed, then the order service crashed before it published the event. Nothing records that the event still has to go out, so it is lost for good: the order exists, its OrderPlaced event never will.`, {
      mistake: mistakes.publishAfterCommit,
      expected: `an outbox row for ${orderId}, published by the relay after the restart`,
      actual: `no outbox row and no event for ${orderId} ${within}`,
      next: 'insert the event into the outbox table in the same transaction as the order, and let relay.ts publish it; the order service itself never talks to Kafka',
    });
  }
  if (rows.length === 0) {
    fail(`${orderId} is committed but has no outbox row, and no event for it reached the topic ${within}.`, {
      next: 'insert the OrderPlaced envelope into the outbox table in the same transaction as the order',
    });
  }
  const sent = rows.find((row) => row.sentAt !== null);
  if (sent) {
    fail(`The outbox row of ${orderId} (seq ${sent.seq}) is marked sent, but its event never reached the topic: the relay marked it before Kafka acknowledged it, and the send then failed. The event is lost.`, {
      mistake: mistakes.markBeforeAck,
      expected: `the row stays unsent until producer.send() resolves, and goes out once Kafka is back`,
      actual: `sent_at = ${sent.sentAt}, no record on ${context.state.topic}`,
      next: 'mark rows sent only after await producer.send(...) has resolved; when it throws, leave them unsent so the next poll retries them',
    });
  }
  const stillRunning = context.state.relay?.running ?? false;
  fail(`The outbox row of ${orderId} (seq ${rows[0].seq}) is still unsent: the relay did not publish it ${within}.${relayError}`, {
    next: stillRunning
      ? 'complete relay.ts: read the unsent rows ORDER BY seq, send them with producer.send(...), then mark them sent; on an error, wait POLL_MS and try the same rows again'
      : 'the relay is not running; read its output below',
  });
}

/** Waits until every outbox row of these orders is marked sent. Orders without an outbox row are skipped. */
export async function expectMarkedSent(context: Context, orderIds: string[], windowMs: number): Promise<OutboxSnapshot> {
  const deadline = Date.now() + windowMs;
  for (;;) {
    const db = snapshot(context);
    const unsent = db.outbox.filter((row) => orderIds.includes(row.key) && row.sentAt === null);
    if (unsent.length === 0) return db;
    if (Date.now() > deadline) {
      const row = unsent[0];
      const copies = recordsFor(context, row.key).length;
      fail(`The relay published ${row.key}${copies > 1 ? ` (${copies} times so far)` : ''} but did not mark its outbox row (seq ${row.seq}) sent within ${windowMs / 1000} s, so it sends it again on every poll.`, {
        next: 'after producer.send(...) resolves, UPDATE outbox SET sent_at = ? WHERE seq = ? for every row of the batch',
      });
    }
    // The relay marks rows right after Kafka's acknowledgement; 100 ms between reads is plenty.
    await context.sleep(100);
  }
}

/** Checks the records of each order: an envelope, keyed by the order id, one distinct event id, the outbox row's id. */
export function verifyEvents(context: Context, orders: OrderLine[], db: OutboxSnapshot): void {
  for (const order of orders) {
    const records = recordsFor(context, order.orderId);
    for (const record of records) verifyRecord(record, order);
    const ids = distinctIds(records);
    const row = outboxRowsFor(db, order.orderId)[0];
    const foreign = row ? ids.filter((id) => id !== row.eventId) : [];
    if (row && foreign.length) failNewIds(order.orderId, row, ids);
    if (ids.length > 1) {
      fail(`${order.orderId} has ${ids.length} different event ids on the topic (${ids.map(short).join(', ')}); a consumer takes them for ${ids.length} different orders.`, {
        expected: '1 event id per committed order',
        actual: records.map(describeRecord).join('; '),
        next: 'create the envelope once, in the order transaction, and publish exactly that payload',
      });
    }
  }
  verifyOrder(context, db);
}

function failNewIds(orderId: string, row: OutboxRecord, ids: string[]): never {
  fail(`The relay published ${orderId} with the event id ${ids.filter((id) => id !== row.eventId).map(short).join(', ')}, but its outbox row has ${short(row.eventId)}. A relay that builds a new envelope gives every re-publish a new id, so consumers cannot tell a retry from a new event.`, {
    mistake: mistakes.relayNewIds,
    expected: `event id ${row.eventId} (outbox.event_id), on every publish`,
    actual: `event id(s) ${ids.join(', ')}`,
    next: 'publish the stored payload as it is (value: row.payload); do not call envelope() in the relay',
  });
}

function verifyRecord(record: TopicRecord, order: OrderLine): void {
  const body = envelopeOf(record);
  const missing = ['id', 'type', 'source', 'time', 'subject', 'data'].filter((field) => !(field in body));
  if (missing.length) {
    fail(`The record at partition ${record.partition}, offset ${record.offset} is not an event envelope (missing ${missing.join(', ')}): ${String(record.value).slice(0, 200)}`, {
      expected: "{ id, type, source, time, subject, data }, made with envelope('OrderPlaced', 'order-service', orderId, order)",
      next: 'store JSON.stringify(envelope(...)) in outbox.payload and publish it as the record value',
    });
  }
  if (body.type !== 'OrderPlaced' || body.data?.orderId !== order.orderId) {
    fail(`The event for ${order.orderId} has type ${JSON.stringify(body.type)} and data.orderId ${JSON.stringify(body.data?.orderId)}.`, {
      expected: `type "OrderPlaced", data = the order line ({ orderId: "${order.orderId}", customerId, amountCents })`,
      next: "make the event with envelope('OrderPlaced', 'order-service', order.orderId, order)",
    });
  }
  if (record.key !== order.orderId) {
    fail(`The event for ${order.orderId} has the key ${JSON.stringify(record.key)}; events of one order must share a key so they stay in one partition, in order.`, {
      expected: `key "${order.orderId}" (outbox.message_key)`,
      next: 'send each row with key: row.message_key, and store the order id there',
    });
  }
}

/** In each partition, events must first appear in outbox order (a re-publish of an earlier row may follow later ones). */
function verifyOrder(context: Context, db: OutboxSnapshot): void {
  const seqOf = new Map(db.outbox.map((row) => [row.eventId, row.seq]));
  const byPartition = new Map<number, number[]>();
  const seen = new Set<string>();
  for (const record of [...context.state.watcher!.records].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const id = String(envelopeOf(record).id);
    const seq = seqOf.get(id);
    if (seq === undefined || seen.has(id)) continue;
    seen.add(id);
    byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), seq]);
  }
  for (const [partition, seqs] of byPartition) {
    if (seqs.some((seq, index) => index > 0 && seq < seqs[index - 1])) {
      fail(`Partition ${partition} holds outbox rows in the order seq ${seqs.join(', ')}: the relay published them out of order.`, {
        expected: 'rising seq within each partition',
        next: 'select the unsent rows ORDER BY seq and send them in that order, one batch at a time, awaiting each send',
      });
    }
  }
}
