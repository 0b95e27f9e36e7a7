// Event publisher: wraps each order event in an envelope and publishes it to a topic exchange.
// Read README.md in this folder first. Check your work with: mq-course check day4 02
import amqp from 'amqplib';
import { createInterface } from 'node:readline';
import { env, envelope, report } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const EXCHANGE = env('EXCHANGE', `${RUN_ID}.orders`);
const SOURCE = 'publish-event';

/** One input line: which order, where, what happened. */
interface OrderEvent {
  orderId: string;
  region: string;
  event: string;
  data?: Record<string, unknown>;
}

const connection = await amqp.connect(AMQP_URL);
const channel = await connection.createConfirmChannel();

// TODO 1: declare EXCHANGE. It already exists on the broker as a durable topic exchange, and a
// declaration with any other type or durability is rejected (406 PRECONDITION_FAILED).

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const input = JSON.parse(line) as OrderEvent;
  // TODO 2: wrap the input in an envelope: type `order.<event>`, source SOURCE, subject the
  // order id, data the input's data (or {}). Every event needs its own id.
  // TODO 3: publish the envelope as JSON to EXCHANGE with the routing key order.<region>.<event>,
  // then report('published', { id, routingKey }).
}
console.error('publish-event.ts: TODO 1 to 3 are not done yet, so nothing was published.');

// TODO 4: wait until the broker has confirmed every publish, then close the connection.
await connection.close();
