// Create-order saga orchestrator: one command at a time, completed steps undone newest first
// when a step fails, and only forward once the payment is captured (the pivot).
import amqp, { type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { env, envelope, report, type Envelope } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const START_QUEUE = env('START_QUEUE', `${RUN_ID}.saga.start`);
const REPLY_QUEUE = env('REPLY_QUEUE', `${RUN_ID}.saga.replies`);
const OUTCOME_QUEUE = env('OUTCOME_QUEUE', `${RUN_ID}.saga.outcomes`);
const INVENTORY_QUEUE = env('INVENTORY_QUEUE', `${RUN_ID}.inventory.commands`);
const PAYMENT_QUEUE = env('PAYMENT_QUEUE', `${RUN_ID}.payment.commands`);
const SHIPPING_QUEUE = env('SHIPPING_QUEUE', `${RUN_ID}.shipping.commands`);
const RETRY_DELAY_MS = Number(env('RETRY_DELAY_MS', '500'));
const SOURCE = 'create-order-saga';

/** A forward step: its command, the participant's queue, and the command that undoes it. */
interface Step {
  command: string;
  queue: string;
  compensation?: string;
  /** Once this step succeeds, the saga only goes forward. */
  pivot?: boolean;
  /** Its failures are temporary: send the command again until it succeeds. */
  retriable?: boolean;
}

const STEPS: Step[] = [
  { command: 'ReserveInventory', queue: INVENTORY_QUEUE, compensation: 'ReleaseInventory' },
  { command: 'AuthorizePayment', queue: PAYMENT_QUEUE, compensation: 'VoidPayment' },
  { command: 'CapturePayment', queue: PAYMENT_QUEUE, pivot: true },
  { command: 'ScheduleShipping', queue: SHIPPING_QUEUE, retriable: true },
];

interface Order {
  sagaId: string;
  orderId: string;
  amountCents: number;
}

interface Reply {
  sagaId: string;
  commandId: string;
  ok: boolean;
  reason?: string;
}

interface Command {
  type: string;
  queue: string;
  commandId: string;
}

interface Saga {
  order: Order;
  status: 'running' | 'compensating' | 'approved' | 'rejected';
  /** Index in STEPS of the step under way, or of the step that failed once compensating. */
  step: number;
  /** Indexes in STEPS of the steps still to undo, newest first. */
  toUndo: number[];
  /** The command whose reply the saga waits for. */
  pending?: Command;
}

const sagas = new Map<string, Saga>();

const connection = await amqp.connect(AMQP_URL);
const channel = await connection.createChannel();
for (const queue of [START_QUEUE, OUTCOME_QUEUE, INVENTORY_QUEUE, PAYMENT_QUEUE, SHIPPING_QUEUE]) {
  await channel.assertQueue(queue, { durable: true });
}
// Durable and not exclusive: replies wait here while this process is down.
await channel.assertQueue(REPLY_QUEUE, { durable: true });

function publish(queue: string, message: Envelope, options: { replyTo?: string; correlationId?: string } = {}): void {
  channel.sendToQueue(queue, Buffer.from(JSON.stringify(message)), { persistent: true, contentType: 'application/json', messageId: message.id, type: message.type, ...options });
}

/** Sends a command and makes it the one the saga waits for. A resend passes the same commandId. */
function send(saga: Saga, type: string, queue: string, commandId: string = randomUUID()): void {
  const { sagaId } = saga.order;
  saga.pending = { type, queue, commandId };
  publish(queue, envelope(type, SOURCE, sagaId, { ...saga.order, commandId }, commandId), { replyTo: REPLY_QUEUE, correlationId: commandId });
  report('command-sent', { sagaId, type, commandId });
}

function sendStep(saga: Saga): void {
  const step = STEPS[saga.step];
  send(saga, step.command, step.queue);
}

function start(order: Order): void {
  if (sagas.has(order.sagaId)) {
    report('start-ignored', { sagaId: order.sagaId, reason: 'the saga exists already' });
    return;
  }
  const saga: Saga = { order, status: 'running', step: 0, toUndo: [] };
  sagas.set(order.sagaId, saga);
  report('saga-started', { sagaId: order.sagaId });
  sendStep(saga);
}

function onReply(reply: Reply): void {
  const saga = sagas.get(reply.sagaId);
  const pending = saga?.pending;
  // Only the reply to the command under way counts: duplicates and replies to older commands change nothing.
  if (!saga || !pending || pending.commandId !== reply.commandId) {
    report('reply-ignored', { sagaId: reply.sagaId, commandId: reply.commandId });
    return;
  }
  saga.pending = undefined;
  report('reply-received', { sagaId: reply.sagaId, type: pending.type, ok: reply.ok });

  if (saga.status === 'compensating') {
    // A compensation must succeed in the end: try the same command again.
    if (!reply.ok) return retryLater(saga, pending);
    saga.toUndo.shift();
    return undoNext(saga);
  }
  if (reply.ok) {
    saga.step += 1;
    return saga.step < STEPS.length ? sendStep(saga) : finish(saga, 'approved');
  }
  if (STEPS[saga.step].retriable) return retryLater(saga, pending);
  startCompensation(saga);
}

/** Undoes the completed steps, newest first. The failed step did nothing, so it is not undone. */
function startCompensation(saga: Saga): void {
  saga.status = 'compensating';
  const completed = STEPS.slice(0, saga.step).map((_, index) => index);
  saga.toUndo = completed.filter((index) => STEPS[index].compensation).reverse();
  undoNext(saga);
}

function undoNext(saga: Saga): void {
  const index = saga.toUndo[0];
  if (index === undefined) return finish(saga, 'rejected');
  send(saga, STEPS[index].compensation!, STEPS[index].queue);
}

function retryLater(saga: Saga, command: Command): void {
  report('retry-scheduled', { sagaId: saga.order.sagaId, type: command.type, inMs: RETRY_DELAY_MS });
  setTimeout(() => send(saga, command.type, command.queue, command.commandId), RETRY_DELAY_MS);
}

function finish(saga: Saga, outcome: 'approved' | 'rejected'): void {
  saga.status = outcome;
  const { sagaId } = saga.order;
  const failedStep = outcome === 'rejected' ? STEPS[saga.step].command : undefined;
  const type = outcome === 'approved' ? 'OrderApproved' : 'OrderRejected';
  publish(OUTCOME_QUEUE, envelope(type, SOURCE, sagaId, { ...saga.order, failedStep }));
  report('saga-completed', { sagaId, outcome, failedStep });
}

/** Runs `action` on the message's JSON body, then acks it; a malformed message is reported and dropped. */
function handle<T>(message: ConsumeMessage | null, action: (body: Envelope<T>) => void): void {
  if (!message) return;
  try {
    action(JSON.parse(message.content.toString()) as Envelope<T>);
  } catch (error) {
    report('message-dropped', { error: (error as Error).message, body: message.content.toString().slice(0, 200) });
  }
  channel.ack(message);
}

await channel.consume(REPLY_QUEUE, (message) => handle<Reply>(message, (body) => onReply(body.data)));
await channel.consume(START_QUEUE, (message) => handle<Order>(message, (body) => start(body.data)));
report('ready', { startQueue: START_QUEUE, replyQueue: REPLY_QUEUE });

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
