// Job processor with bounded retries: a failed job waits in a retry queue, comes back, and after
// MAX_ATTEMPTS is parked with its error instead of blocking the queue forever.
import amqp, { type ConsumeMessage, type Options } from 'amqplib';
import { env, report, sleep } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const WORK_QUEUE = env('WORK_QUEUE', `${RUN_ID}.work`);
const RETRY_QUEUE = env('RETRY_QUEUE', `${RUN_ID}.retry`);
const PARKING_QUEUE = env('PARKING_QUEUE', `${RUN_ID}.parking`);
const RESULT_QUEUE = env('RESULT_QUEUE', `${RUN_ID}.results`);
const RETRY_DELAY_MS = Number(env('RETRY_DELAY_MS', '2000'));
const MAX_ATTEMPTS = Number(env('MAX_ATTEMPTS', '3'));

interface Job {
  id: string;
  failAttempts?: number;
}

// The job itself. Leave it as it is: a job throws on each of its first `failAttempts` attempts.
async function handle(job: Job, attempt: number): Promise<void> {
  await sleep(10);
  if (attempt <= (job.failAttempts ?? 0)) throw new Error(`job ${job.id} failed on attempt ${attempt}`);
}

const connection = await amqp.connect(AMQP_URL);
// A confirm channel, so a result or a parked copy is on the broker before its job is acked.
const channel = await connection.createConfirmChannel();

// A job rejected without requeue is dead-lettered through the default exchange to the retry queue.
await channel.assertQueue(WORK_QUEUE, {
  durable: true,
  arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': RETRY_QUEUE },
});
// After RETRY_DELAY_MS the job expires and is dead-lettered back to the work queue. The routing key
// must be given: without it the job keeps the key it arrived with (the retry queue's own name),
// expires back into the retry queue, and RabbitMQ drops it as a dead-letter cycle.
await channel.assertQueue(RETRY_QUEUE, {
  durable: true,
  arguments: { 'x-message-ttl': RETRY_DELAY_MS, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': WORK_QUEUE },
});
await channel.assertQueue(PARKING_QUEUE, { durable: true });
await channel.assertQueue(RESULT_QUEUE, { durable: true });
await channel.prefetch(1);

interface Death {
  queue?: string;
  reason?: string;
  count?: number;
}

/**
 * Returns which attempt this delivery is: one more than the number of times RabbitMQ recorded the
 * job as rejected from the work queue. RabbitMQ keeps that count in the x-death header, on the
 * message itself, so it survives a restart of this process.
 */
function attemptOf(message: ConsumeMessage): number {
  const deaths = (message.properties.headers?.['x-death'] ?? []) as Death[];
  const rejected = deaths.find((death) => death.queue === WORK_QUEUE && death.reason === 'rejected');
  return Number(rejected?.count ?? 0) + 1;
}

/** Sends to a queue and waits for the broker's confirm. */
async function send(queue: string, content: Buffer, options: Options.Publish): Promise<void> {
  channel.sendToQueue(queue, content, { persistent: true, ...options });
  await channel.waitForConfirms();
}

/** Moves a job that will never succeed to the parking queue, with its error, then acks it. */
async function park(message: ConsumeMessage, id: string, attempts: number, error: string): Promise<void> {
  const { contentType, messageId } = message.properties;
  await send(PARKING_QUEUE, message.content, { contentType, messageId, headers: { error, attempts } });
  channel.ack(message);
  report('parked', { id, attempts, error });
}

await channel.consume(
  WORK_QUEUE,
  async (message) => {
    // null: the broker cancelled this consumer (the queue was deleted).
    if (!message) return;
    const attempt = attemptOf(message);

    let job: Job;
    try {
      job = JSON.parse(message.content.toString()) as Job;
    } catch {
      // A body that is not JSON fails the same way on every attempt: park it at once.
      await park(message, message.properties.messageId ?? '(no id)', attempt, 'the message body is not JSON');
      return;
    }
    report('received', { id: job.id, attempt });

    try {
      await handle(job, attempt);
    } catch (error) {
      const reason = (error as Error).message;
      if (attempt >= MAX_ATTEMPTS) {
        await park(message, job.id, attempt, reason);
      } else {
        // requeue false: the work queue dead-letters the job into the retry queue.
        channel.reject(message, false);
        report('retrying', { id: job.id, attempt, error: reason });
      }
      return;
    }

    await send(RESULT_QUEUE, Buffer.from(JSON.stringify({ id: job.id, attempt })), { contentType: 'application/json' });
    channel.ack(message);
    report('done', { id: job.id, attempt });
  },
  { noAck: false },
);
report('ready', { queue: WORK_QUEUE, retryQueue: RETRY_QUEUE, retryDelayMs: RETRY_DELAY_MS, maxAttempts: MAX_ATTEMPTS });

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
