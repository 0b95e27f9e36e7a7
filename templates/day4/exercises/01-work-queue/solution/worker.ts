// Work-queue worker: manual acks, a prefetch limit, and nothing lost when a worker dies.
import amqp from 'amqplib';
import { env, report, sleep } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const TASK_QUEUE = env('TASK_QUEUE', `${RUN_ID}.tasks`);
const RESULT_QUEUE = env('RESULT_QUEUE', `${RUN_ID}.results`);
const PREFETCH = Number(env('PREFETCH', '1'));
const WORKER_NAME = env('WORKER_NAME', `worker-${process.pid}`);

interface Task {
  id: string;
  workMs: number;
  failFirst?: boolean;
}

// The "work" itself. Leave it as it is: a task with failFirst throws on its first delivery.
async function work(task: Task, redelivered: boolean): Promise<void> {
  await sleep(task.workMs);
  if (task.failFirst && !redelivered) throw new Error(`task ${task.id} failed on its first attempt`);
}

const connection = await amqp.connect(AMQP_URL);
const channel = await connection.createChannel();
await channel.assertQueue(TASK_QUEUE, { durable: true });
await channel.assertQueue(RESULT_QUEUE, { durable: true });

// At most PREFETCH unacknowledged tasks per worker, so a busy worker is not handed more.
await channel.prefetch(PREFETCH);

await channel.consume(
  TASK_QUEUE,
  async (message) => {
    if (!message) return;
    const task = JSON.parse(message.content.toString()) as Task;
    const redelivered = message.fields.redelivered;
    report('received', { id: task.id, redelivered });

    try {
      await work(task, redelivered);
    } catch (error) {
      // Not done: give it back to the queue, so this or another worker tries again.
      report('failed', { id: task.id, error: (error as Error).message });
      channel.nack(message, false, true);
      return;
    }

    const result = { id: task.id, worker: WORKER_NAME, redelivered };
    channel.sendToQueue(RESULT_QUEUE, Buffer.from(JSON.stringify(result)), { persistent: true, contentType: 'application/json' });

    // Only now is the task done; if this process dies before this line, RabbitMQ redelivers it.
    channel.ack(message);
    report('done', { id: task.id });
  },
  { noAck: false },
);
report('ready', { queue: TASK_QUEUE, prefetch: PREFETCH });

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
