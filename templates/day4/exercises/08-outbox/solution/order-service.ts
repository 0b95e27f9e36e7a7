// Order service: accepts orders from stdin and stores each order together with its OrderPlaced
// event in one transaction. It never talks to Kafka; relay.ts publishes the events.
import { createInterface } from 'node:readline';
import { crashPoint, env, envelope, report, type Envelope } from '../../lib/course.js';
import { openOrdersDb } from './outbox-db.js';

const ORDERS_DB = env('ORDERS_DB', 'orders.db');

interface OrderRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
}

const db = openOrdersDb(ORDERS_DB);
const insertOrder = db.prepare('INSERT INTO orders (order_id, customer_id, amount_cents, created_at) VALUES (?, ?, ?, ?)');
const insertOutbox = db.prepare('INSERT INTO outbox (event_id, message_key, payload, created_at) VALUES (?, ?, ?, ?)');

// Both rows or neither: db.transaction() commits when the function returns and rolls back when it
// throws, so a rejected order leaves no event behind.
const placeOrder = db.transaction((order: OrderRequest, event: Envelope<OrderRequest>) => {
  const now = new Date().toISOString();
  insertOrder.run(order.orderId, order.customerId, order.amountCents, now);
  insertOutbox.run(event.id, order.orderId, JSON.stringify(event), now);
});

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});

report('ready', { db: ORDERS_DB });

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  let order: OrderRequest;
  try {
    order = JSON.parse(line) as OrderRequest;
  } catch {
    report('rejected', { line, reason: 'invalid JSON' });
    continue;
  }

  const event = envelope('OrderPlaced', 'order-service', order.orderId, order);
  try {
    placeOrder(order, event);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    report('rejected', { orderId: order.orderId, reason: 'duplicate order id' });
    continue;
  }

  // The order and its event are committed together; a crash from here on loses nothing.
  crashPoint('after-commit');
  report('accepted', { orderId: order.orderId, eventId: event.id });
}
db.close();
