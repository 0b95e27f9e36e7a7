// Order service: accepts orders from stdin and stores each order together with its OrderPlaced
// event in one transaction. It never talks to Kafka; relay.ts publishes the events.
// Read README.md in this folder first. Check your work with: mq-course check day4 08
import { createInterface } from 'node:readline';
import { crashPoint, env, envelope, report } from '../../lib/course.js';
import { openOrdersDb } from './outbox-db.js';

const ORDERS_DB = env('ORDERS_DB', 'orders.db');

interface OrderRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
}

const db = openOrdersDb(ORDERS_DB);

process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});

report('ready', { db: ORDERS_DB });
console.error('order-service.ts: the TODOs are not done yet, so orders are neither stored nor confirmed.');

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const order = JSON.parse(line) as OrderRequest;
  const event = envelope('OrderPlaced', 'order-service', order.orderId, order);

  // TODO 1: in ONE transaction (db.transaction(...)), insert the order into `orders` and the event
  //   into `outbox`: event_id = event.id, message_key = order.orderId, payload = JSON.stringify(event).
  //   Do not publish anything here: the relay does.
  // TODO 2: when the order id already exists (the insert throws an error with
  //   code 'SQLITE_CONSTRAINT_PRIMARYKEY'), report('rejected', { orderId, reason }) and go on.
  // TODO 3: after the commit, call crashPoint('after-commit'), then
  //   report('accepted', { orderId: order.orderId, eventId: event.id }).
  void event;
  void crashPoint;
}
db.close();
