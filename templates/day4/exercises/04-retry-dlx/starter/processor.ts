// Job processor with bounded retries: a failed job waits in a retry queue, comes back, and after
// MAX_ATTEMPTS is parked with its error instead of blocking the queue forever.
// Read README.md in this folder first. Check your work with: mq-course check day4 04
import amqp from 'amqplib';
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
// A confirm channel: `await channel.waitForConfirms()` after a send waits until the broker has it.
const channel = await connection.createConfirmChannel();
await channel.assertQueue(RESULT_QUEUE, { durable: true });
await channel.prefetch(1);

// TODO 1: declare the retry topology (all three queues durable):
//   - WORK_QUEUE dead-letters what you reject into RETRY_QUEUE
//     (arguments x-dead-letter-exchange and x-dead-letter-routing-key),
//   - RETRY_QUEUE keeps a job for RETRY_DELAY_MS (x-message-ttl), then dead-letters it back to WORK_QUEUE,
//   - PARKING_QUEUE is a plain queue for the jobs that gave up.

// TODO 2: work out which attempt a delivery is from its x-death header
//   (message.properties.headers?.['x-death']): attempt 1 when there is none.

// TODO 3: consume WORK_QUEUE with manual acknowledgements. For each job:
//   - report('received', { id, attempt }),
//   - await handle(job, attempt),
//   - on success: send { id, attempt } to RESULT_QUEUE, wait for the confirm, ack, report('done', { id, attempt }),
//   - on failure before MAX_ATTEMPTS: reject it without requeue, then report('retrying', { id, attempt, error }),
//   - on failure at MAX_ATTEMPTS: send the job to PARKING_QUEUE with headers { error, attempts },
//     wait for the confirm, ack, report('parked', { id, attempts, error }).
void handle;
void [WORK_QUEUE, RETRY_QUEUE, PARKING_QUEUE, RETRY_DELAY_MS, MAX_ATTEMPTS];

report('ready', { queue: WORK_QUEUE });
console.error('processor.ts: TODO 1 to TODO 3 are not done yet, so this processor consumes nothing.');

// TODO 4: on SIGTERM, close the channel and the connection, then exit.
