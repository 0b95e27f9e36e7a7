// Reliable batch publisher: publisher confirms, mandatory returns, and bounded retries that keep
// each event's id, so a consumer can drop the duplicates a retry may create.
import amqp from 'amqplib';
import { once } from 'node:events';
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

/**
 * Publishes `events` on a fresh connection and returns the ids the broker confirmed. A nack, a
 * return (no queue took the message) or a lost connection leaves an id out.
 */
async function publishRound(events: Envelope[]): Promise<Set<string>> {
  const confirmed = new Set<string>();
  const connection = await amqp.connect(AMQP_URL).catch((error: Error) => {
    report('connect-failed', { error: error.message });
    return undefined;
  });
  if (!connection) return confirmed;
  // Without an 'error' listener, a connection closed by the broker would crash the program.
  connection.on('error', (error: Error) => report('connection-error', { error: error.message }));
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));

  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => {});
    // RabbitMQ sends basic.return before the ack of the same message, so this set is complete
    // by the time the publish callback runs.
    const returned = new Set<string>();
    channel.on('return', (message) => {
      returned.add(message.properties.messageId);
      report('returned', { id: message.properties.messageId, routingKey: message.fields.routingKey });
    });

    const settled: Promise<void>[] = [];
    for (const event of events) {
      let settle = () => {};
      settled.push(new Promise<void>((resolve) => (settle = resolve)));
      const body = Buffer.from(JSON.stringify(event));
      const options = { persistent: true, mandatory: true, messageId: event.id, contentType: 'application/json' };
      let writable: boolean;
      try {
        writable = channel.publish(EXCHANGE, ROUTING_KEY, body, options, (error) => {
          if (error) report('not-confirmed', { id: event.id, error: error.message });
          else if (!returned.has(event.id)) confirmed.add(event.id);
          settle();
        });
      } catch {
        settle(); // the channel has closed, so this event stays unconfirmed
        break;
      }
      // false means the socket buffer is full: wait for 'drain' before writing more (backpressure).
      if (!writable) await Promise.race([once(channel, 'drain'), closed]);
    }
    // Every callback runs, with an error if the channel closes first, so this always settles.
    await Promise.race([Promise.all(settled), closed]);
  } catch (error) {
    report('channel-failed', { error: (error as Error).message });
  } finally {
    await connection.close().catch(() => {});
  }
  return confirmed;
}

const events = await readEvents();
const attempts = new Map<string, number>();
const failed: string[] = [];
let pending = events;

while (pending.length > 0) {
  for (const event of pending) attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
  const confirmed = await publishRound(pending);
  const unconfirmed = pending.filter((event) => !confirmed.has(event.id));
  report('round', { published: pending.length, confirmed: pending.length - unconfirmed.length });

  // Retry with the same event (and so the same id) until an event has had MAX_ATTEMPTS tries.
  pending = unconfirmed.filter((event) => attempts.get(event.id)! < MAX_ATTEMPTS);
  failed.push(...unconfirmed.filter((event) => attempts.get(event.id)! >= MAX_ATTEMPTS).map((event) => event.id));
  if (pending.length > 0) {
    report('retry', { ids: pending.map((event) => event.id) });
    await sleep(RETRY_DELAY_MS);
  }
}

if (failed.length > 0) {
  report('failed', { ids: failed });
  console.error(`publish-batch: ${failed.length} of ${events.length} events were not confirmed after ${MAX_ATTEMPTS} attempts: ${failed.join(', ')}`);
  process.exit(2);
}
report('done', { confirmed: events.length });
