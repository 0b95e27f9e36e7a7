// Order projector: one instance of a consumer group that turns order events into status records.
import { Kafka, Partitioners, logLevel, type KafkaMessage } from 'kafkajs';
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

// sessionTimeout 6000 is the broker's default minimum (group.min.session.timeout.ms), and a short
// heartbeat interval lets rebalances finish quickly.
const consumer = kafka.consumer({ groupId: GROUP_ID, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });

// disconnect() leaves the group at once, so the others take over this instance's partitions
// without waiting for the session timeout. Registered before joining: a SIGTERM that arrives
// earlier would otherwise end the process without leaving.
process.once('SIGTERM', async () => {
  report('stopping', { instance: INSTANCE });
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  process.exit(0);
});

await consumer.connect();
// A new group has no committed offsets: start it at the oldest record, so the backlog is not skipped.
await consumer.subscribe({ topic: INPUT_TOPIC, fromBeginning: true });

async function project(partition: number, message: KafkaMessage): Promise<void> {
  const event = JSON.parse(message.value!.toString()) as Envelope<OrderStatusChanged>;
  const offset = Number(message.offset);
  try {
    await work(event);
  } catch (error) {
    // Rethrown: kafkajs does not commit this offset and delivers the message again.
    report('failed', { id: event.id, partition, offset, error: (error as Error).message });
    throw error;
  }

  const { orderId, seq, status } = event.data;
  const record = { orderId, seq, status, eventId: event.id, sourcePartition: partition, sourceOffset: offset, instance: INSTANCE };
  await producer.send({ topic: OUTPUT_TOPIC, messages: [{ key: orderId, value: JSON.stringify(record) }] });
  report('projected', { id: event.id, orderId, seq, partition, offset });
}

// kafkajs commits a message's offset only after eachMessage's promise resolves, so everything
// the message causes is awaited inside it.
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    await project(partition, message);
  },
});
report('ready', { groupId: GROUP_ID, topic: INPUT_TOPIC, instance: INSTANCE });
