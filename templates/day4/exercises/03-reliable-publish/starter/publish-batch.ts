// Reliable batch publisher: publisher confirms, mandatory returns, and bounded retries that keep
// each event's id, so a consumer can drop the duplicates a retry may create.
// Read README.md in this folder first. Check your work with: mq-course check day4 03
import amqp from 'amqplib';
import { createInterface } from 'node:readline';
import { env, report, sleep, type Envelope } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const EXCHANGE = env('EXCHANGE', `${RUN_ID}.events`);
const ROUTING_KEY = env('ROUTING_KEY', 'orders');
const MAX_ATTEMPTS = Number(env('MAX_ATTEMPTS', '3'));
const RETRY_DELAY_MS = Number(env('RETRY_DELAY_MS', '200'));

async function readEvents(): Promise<Envelope[]> {
  const events: Envelope[] = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim()) events.push(JSON.parse(line) as Envelope);
  }
  return events;
}

const events = await readEvents();
const connection = await amqp.connect(AMQP_URL);

// TODO 1: publish every event on a confirm channel (connection.createConfirmChannel()) to
// EXCHANGE with ROUTING_KEY: the event as JSON, persistent, mandatory, messageId = event.id.
// An event counts as delivered only when its publish callback runs without an error and the
// broker did not return it first (channel.on('return', ...)).

// TODO 2: publish the events that were not delivered (nacked, returned, or unconfirmed when the
// connection was lost) again, unchanged, after RETRY_DELAY_MS, until each has had MAX_ATTEMPTS
// attempts. A lost connection needs a new connection and channel.

// TODO 3: exit 0 when every event is delivered. Otherwise report('failed', { ids }) with the ids
// that never were, and exit 2.
void sleep;
console.error(`publish-batch.ts: TODO 1 to 3 are not done yet, so none of the ${events.length} events was published (MAX_ATTEMPTS ${MAX_ATTEMPTS}, exchange ${EXCHANGE}, routing key ${ROUTING_KEY}).`);
await connection.close();
