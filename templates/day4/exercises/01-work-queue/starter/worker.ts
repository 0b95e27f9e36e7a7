// Work-queue worker: manual acks, a prefetch limit, and nothing lost when a worker dies.
// Read README.md in this folder first. Check your work with: mq-course check day4 01
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

// TODO 1: limit this worker to PREFETCH unacknowledged tasks at a time.

// TODO 2: consume TASK_QUEUE with manual acknowledgements. For each task:
//   - report('received', { id, redelivered }) as soon as it arrives,
//   - await work(task, redelivered),
//   - if the work throws, give the task back to the queue (it must not be lost),
//   - otherwise send { id, worker: WORKER_NAME, redelivered } to RESULT_QUEUE,
//     and only then acknowledge the task.
void work;

report('ready', { queue: TASK_QUEUE, prefetch: PREFETCH });
console.error('worker.ts: TODO 1 and TODO 2 are not done yet, so this worker consumes nothing.');

// TODO 3: on SIGTERM, close the channel and the connection, then exit.
