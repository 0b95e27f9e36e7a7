// Event publisher: wraps each order event in an envelope and publishes it to a topic exchange.
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
// A confirm channel, so the program exits only after the broker has taken every event.
const channel = await connection.createConfirmChannel();
await channel.assertExchange(EXCHANGE, 'topic', { durable: true });

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const input = JSON.parse(line) as OrderEvent;
  // envelope() gives every event a fresh id, also two events of the same order.
  const event = envelope(`order.${input.event}`, SOURCE, input.orderId, input.data ?? {});
  const routingKey = `order.${input.region}.${input.event}`;
  channel.publish(EXCHANGE, routingKey, Buffer.from(JSON.stringify(event)), {
    persistent: true,
    contentType: 'application/json',
    messageId: event.id,
  });
  report('published', { id: event.id, routingKey });
}

await channel.waitForConfirms();
await connection.close();
