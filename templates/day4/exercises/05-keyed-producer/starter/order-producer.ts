// Keyed producer: every event of one order goes to the same partition, in order.
// Read README.md in this folder first. Check your work with: mq-course check day4 05
import { Kafka, Partitioners, logLevel } from 'kafkajs';
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

// TODO 1: create a producer with the Java-compatible partitioner (Partitioners.DefaultPartitioner)
// and connect it.
void Partitioners;
void kafka;

let sent = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const order = JSON.parse(line) as OrderLine;
  const event = envelope(order.type, 'order-producer', order.orderId, order);

  // TODO 2: produce `event` (as JSON) to ORDERS_TOPIC, keyed by order.orderId, and wait for the
  // broker to acknowledge it. Sending in batches of a few hundred messages is much faster.
  void event;
}

// TODO 3: make sure every send has been acknowledged, then disconnect the producer.
console.error('order-producer.ts: TODO 1 to 3 are not done yet, so nothing was produced.');
report('done', { sent });
