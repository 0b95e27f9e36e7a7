// The order events the consumer-group check produces, and how it reads the status records back.
import { javaDefaultPartition } from '../../src/clients/kafka.js';
import type { KafkaRecord } from '../../src/checking/kafka.js';

export interface OrderEvent {
  id: string;
  type: 'OrderStatusChanged';
  source: string;
  time: string;
  subject: string;
  data: { orderId: string; seq: number; status: string; workMs: number; failOnce?: boolean };
  /** When the checker produced it; not sent. */
  phase: 'backlog' | 'live' | 'kill' | 'restart';
}

export const PARTITIONS = 4;
const ORDERS_PER_PARTITION = 6;
const STATUSES = ['created', 'paid', 'packed', 'shipped', 'delivered'];

/**
 * Order ids chosen so that each partition contains the same number of orders. Both instances then
 * get the same amount of work, and neither waits on a partition that contains most of the keys.
 */
const ORDER_IDS: string[] = (() => {
  const perPartition: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let number = 1; perPartition.some((ids) => ids.length < ORDERS_PER_PARTITION); number++) {
    const orderId = `order-${String(number).padStart(3, '0')}`;
    const ids = perPartition[javaDefaultPartition(orderId, PARTITIONS)];
    if (ids.length < ORDERS_PER_PARTITION) ids.push(orderId);
  }
  return perPartition.flat().sort();
})();

/**
 * Makes the next `count` events after `existing`, spread round-robin over 24 orders with seq
 * rising per order. Odd seqs take 5 ms of work and even ones none by default, so work that is not
 * awaited finishes a later event of an order before an earlier one. `failOnce` lists positions
 * within this batch whose work throws on the first attempt.
 */
export function makeOrderEvents(existing: OrderEvent[], count: number, options: { phase: OrderEvent['phase']; workMs?: number; failOnce?: number[] }): OrderEvent[] {
  const seqs = new Map<string, number>();
  for (const event of existing) seqs.set(event.data.orderId, Math.max(seqs.get(event.data.orderId) ?? 0, event.data.seq));
  const events: OrderEvent[] = [];
  for (let index = 0; index < count; index++) {
    const number = existing.length + index + 1;
    const orderId = ORDER_IDS[(number - 1) % ORDER_IDS.length];
    const seq = (seqs.get(orderId) ?? 0) + 1;
    seqs.set(orderId, seq);
    const data: OrderEvent['data'] = { orderId, seq, status: STATUSES[(seq - 1) % STATUSES.length], workMs: options.workMs ?? (seq % 2 === 1 ? 5 : 0) };
    if (options.failOnce?.includes(index)) data.failOnce = true;
    events.push({ id: `e-${String(number).padStart(4, '0')}`, type: 'OrderStatusChanged', source: 'mq-course-checker', time: new Date().toISOString(), subject: orderId, data, phase: options.phase });
  }
  return events;
}

/** Serialises an event as the projector receives it, without the checker's bookkeeping. */
export function eventValue(event: OrderEvent): string {
  const { phase: _phase, ...envelope } = event;
  return JSON.stringify(envelope);
}

/** Groups the status records by the event id they name. */
export function outputsByEvent(records: KafkaRecord[]): Map<string, KafkaRecord[]> {
  const byEvent = new Map<string, KafkaRecord[]>();
  for (const record of records) {
    const eventId = (record.body as { eventId?: unknown } | null)?.eventId;
    if (typeof eventId !== 'string') continue;
    byEvent.set(eventId, [...(byEvent.get(eventId) ?? []), record]);
  }
  return byEvent;
}

/**
 * Finds an order whose status records, in offset order, show a seq for the first time after a
 * higher one. Repeats of a seq already seen are allowed: a rebalance re-projects uncommitted events.
 * Returns a description of the first violation, or undefined.
 */
export function findOrderViolation(records: KafkaRecord[]): string | undefined {
  const byOrder = new Map<string, KafkaRecord[]>();
  for (const record of records) {
    const orderId = String((record.body as { orderId?: unknown }).orderId);
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), record]);
  }
  for (const [orderId, list] of byOrder) {
    list.sort((a, b) => a.offset - b.offset);
    const seen = new Set<number>();
    let highest = 0;
    for (const record of list) {
      const seq = Number((record.body as { seq?: unknown }).seq);
      if (seen.has(seq)) continue;
      if (seq < highest) return `${orderId}: seq ${seq} first appeared after seq ${highest} (partition ${record.partition}, offset ${record.offset})`;
      seen.add(seq);
      highest = seq;
    }
  }
  return undefined;
}
