// Notifier: a durable subscriber. Its named queue keeps events while the notifier is down,
// and several instances on the same queue share the work.
// Read README.md in this folder first. Check your work with: mq-course check day4 02
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

// TODO 1: the binding patterns of this notifier's subscription (see README.md):
//   - every event of each region in REGIONS, whatever the event's name,
//   - each event in EVENTS, from any region.
const patterns: string[] = [];

const connection = await amqp.connect(AMQP_URL);
const channel = await connection.createChannel();

// TODO 2: declare EXCHANGE (it exists as a durable topic exchange) and the queue QUEUE, so that
// events published while this program is down wait in it, and bind QUEUE with each pattern.

// TODO 3: consume QUEUE. For each message: parse the envelope,
// report('notified', { id, routingKey, notifier: NOTIFIER_NAME }), then acknowledge it.

report('ready', { queue: QUEUE, patterns });
console.error('notifier.ts: TODO 1 to 3 are not done yet, so this notifier receives nothing.');

// TODO 4: on SIGTERM, close the channel and the connection, then exit.
