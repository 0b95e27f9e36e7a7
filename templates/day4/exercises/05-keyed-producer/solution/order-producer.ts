// Keyed producer: every event of one order goes to the same partition, in order.
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { createInterface } from 'node:readline';
import { env, envelope, report } from '../../lib/course.js';

const KAFKA_BROKERS = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const RUN_ID = env('RUN_ID', 'local');
const ORDERS_TOPIC = env('ORDERS_TOPIC', `${RUN_ID}.orders`);

interface OrderLine {
  orderId: string;
  seq: number;
  type: string;
}

const kafka = new Kafka({ clientId: 'order-producer', brokers: KAFKA_BROKERS, logLevel: logLevel.ERROR });

// The Java-compatible partitioner: the same key lands on the same partition as with any Java client.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

let batch: Message[] = [];
let sent = 0;

// Sends the batch and waits for the broker's acknowledgement before the next one, which keeps
// per-key order and bounds what a crash could lose.
async function flush(): Promise<void> {
  if (batch.length === 0) return;
  await producer.send({ topic: ORDERS_TOPIC, messages: batch });
  sent += batch.length;
  batch = [];
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const order = JSON.parse(line) as OrderLine;
  const event = envelope(order.type, 'order-producer', order.orderId, order);
  batch.push({ key: order.orderId, value: JSON.stringify(event) });
  if (batch.length >= 500) await flush();
}
await flush();

await producer.disconnect();
report('done', { sent });
