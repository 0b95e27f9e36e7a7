// Order projector: one instance of a consumer group that turns order events into status records.
// Read README.md in this folder first. Check your work with: mq-course check day4 06
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { env, report, sleep, type Envelope } from '../../lib/course.js';

const KAFKA_BROKERS = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const RUN_ID = env('RUN_ID', 'local');
const INPUT_TOPIC = env('INPUT_TOPIC', `${RUN_ID}.orders`);
const OUTPUT_TOPIC = env('OUTPUT_TOPIC', `${RUN_ID}.order-status`);
const GROUP_ID = env('GROUP_ID', `${RUN_ID}.order-projector`);
const INSTANCE = env('INSTANCE', `projector-${process.pid}`);

interface OrderStatusChanged {
  orderId: string;
  seq: number;
  status: string;
  workMs?: number;
  failOnce?: boolean;
}

// The "work" itself. Leave it as it is: an event with failOnce throws the first time this process runs it.
const failedOnce = new Set<string>();
async function work(event: Envelope<OrderStatusChanged>): Promise<void> {
  await sleep(event.data.workMs ?? 0);
  if (event.data.failOnce && !failedOnce.has(event.id)) {
    failedOnce.add(event.id);
    throw new Error(`event ${event.id} failed on its first attempt`);
  }
}

const kafka = new Kafka({ clientId: INSTANCE, brokers: KAFKA_BROKERS, logLevel: logLevel.WARN });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

// TODO 1: create a consumer in the group GROUP_ID (sessionTimeout: 6000, heartbeatInterval: 500),
//   connect it, and subscribe to INPUT_TOPIC so that a new group also reads the events that were
//   produced before it started.

// TODO 2: run the consumer. For each message (eachMessage):
//   - parse the event (an Envelope<OrderStatusChanged>) and await work(event),
//   - if the work throws: report('failed', { id, error }) and let the error out of eachMessage,
//   - send { orderId, seq, status, eventId, sourcePartition, sourceOffset, instance: INSTANCE }
//     to OUTPUT_TOPIC with key orderId, and await the send,
//   - report('projected', { id, orderId, seq, partition, offset }).
//   Then report('ready', { groupId: GROUP_ID }).
void work;
void report;

console.error('order-projector.ts: TODO 1 and TODO 2 are not done yet, so this instance consumes nothing.');

// TODO 3: on SIGTERM, disconnect the consumer and the producer, then exit. Register this handler
//   before the consumer joins the group (before consumer.run), so a SIGTERM during the start is handled.
