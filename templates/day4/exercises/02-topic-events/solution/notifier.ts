// Notifier: a durable subscriber. Its named queue keeps events while the notifier is down,
// and several instances on the same queue share the work.
import amqp from 'amqplib';
import { env, report, type Envelope } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const EXCHANGE = env('EXCHANGE', `${RUN_ID}.orders`);
const QUEUE = env('QUEUE', `${RUN_ID}.notifications`);
const REGIONS = list(env('REGIONS', 'eu'));
const EVENTS = list(env('EVENTS', 'cancelled'));
const NOTIFIER_NAME = env('NOTIFIER_NAME', `notifier-${process.pid}`);

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

// Routing keys are order.<region>.<event>, and an event name may have several words
// (payment.failed). `*` matches exactly one word, `#` matches zero or more.
const patterns = [
  ...REGIONS.map((region) => `order.${region}.#`), // every event of the region
  ...EVENTS.map((event) => `order.*.${event}`), // this event from any region
];

const connection = await amqp.connect(AMQP_URL);
const channel = await connection.createChannel();
await channel.assertExchange(EXCHANGE, 'topic', { durable: true });

// A named, durable, non-exclusive queue: it outlives this process, so events published while
// the notifier is down wait here, and every instance that consumes it shares the same events.
await channel.assertQueue(QUEUE, { durable: true });
for (const pattern of patterns) await channel.bindQueue(QUEUE, EXCHANGE, pattern);
await channel.prefetch(10);

await channel.consume(
  QUEUE,
  (message) => {
    if (!message) return;
    const event = JSON.parse(message.content.toString()) as Envelope;
    report('notified', { id: event.id, routingKey: message.fields.routingKey, notifier: NOTIFIER_NAME });
    channel.ack(message);
  },
  { noAck: false },
);
report('ready', { queue: QUEUE, patterns });

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
