// Outbox relay: publishes unsent outbox rows to Kafka in order, and marks a row sent only after
// the broker has acknowledged it. A crash in between publishes the row again, with the same id.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { crashPoint, env, report, sleep } from '../../lib/course.js';
import { openOrdersDb, type OutboxRow } from './outbox-db.js';

const KAFKA_BROKERS = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const RUN_ID = env('RUN_ID', 'local');
const ORDERS_TOPIC = env('ORDERS_TOPIC', `${RUN_ID}.orders`);
const ORDERS_DB = env('ORDERS_DB', 'orders.db');
const POLL_MS = Number(env('POLL_MS', '200'));
const BATCH_SIZE = 100;

const db = openOrdersDb(ORDERS_DB);
const selectUnsent = db.prepare('SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?');
const markSent = db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ?');

// Few, quick retries: when Kafka is unreachable, send() fails within about a second and the loop
// below tries again, instead of one send waiting through kafkajs's default backoff.
const kafka = new Kafka({
  clientId: 'outbox-relay',
  brokers: KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
  retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

/** Publishes one batch of unsent rows; returns how many it published. */
async function relayBatch(): Promise<number> {
  const rows = selectUnsent.all(BATCH_SIZE) as OutboxRow[];
  if (rows.length === 0) return 0;

  // The payload is the envelope the order service stored, id included; the relay adds nothing.
  // send() resolves once the broker has acknowledged every message of the batch.
  await producer.send({ topic: ORDERS_TOPIC, messages: rows.map((row) => ({ key: row.message_key, value: row.payload })) });
  crashPoint('after-publish');

  const sentAt = new Date().toISOString();
  db.transaction(() => {
    for (const row of rows) markSent.run(sentAt, row.seq);
  })();
  for (const row of rows) report('published', { seq: row.seq, eventId: row.event_id, key: row.message_key });
  return rows.length;
}

let running = true;
process.on('SIGTERM', () => {
  running = false;
});

// Kafka may be down when the relay starts: keep trying, the rows wait in the outbox meanwhile.
while (running) {
  try {
    await producer.connect();
    break;
  } catch (error) {
    report('connect-failed', { error: (error as Error).message });
    await sleep(POLL_MS);
  }
}
report('ready', { topic: ORDERS_TOPIC });

while (running) {
  try {
    const published = await relayBatch();
    if (published === 0) await sleep(POLL_MS);
  } catch (error) {
    // Nothing was marked sent, so the same rows go out on the next attempt.
    report('publish-failed', { error: (error as Error).message });
    await sleep(POLL_MS);
  }
}

await producer.disconnect().catch(() => {});
db.close();
process.exit(0);
