// Outbox relay: publishes unsent outbox rows to Kafka in order, and marks a row sent only after
// the broker has acknowledged it.
// Read README.md in this folder first. Check your work with: mq-course check day4 08
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
  // TODO 4: select at most BATCH_SIZE unsent rows (sent_at IS NULL) in seq order: db.prepare(...).all(...) as OutboxRow[].
  // TODO 5: send them to ORDERS_TOPIC with key = row.message_key and value = row.payload, unchanged,
  //   and wait for Kafka's acknowledgement: await producer.send({ topic, messages }).
  // TODO 6: call crashPoint('after-publish'), then mark the rows sent (sent_at = now) and
  //   report('published', { seq, eventId, key }) for each. Return how many rows you sent.
  void crashPoint;
  return 0;
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
    report('publish-failed', { error: (error as Error).message });
    await sleep(POLL_MS);
  }
}

await producer.disconnect().catch(() => {});
db.close();
process.exit(0);
