// Create-order saga orchestrator with step timeouts and saga state in SQLite. It survives a
// crash, and a participant that never replies leads to compensation instead of a stuck saga.
import amqp, { type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { env, envelope, report, type Envelope } from '../../lib/course.js';
import { openSagaStore } from './saga-store.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const START_QUEUE = env('START_QUEUE', `${RUN_ID}.saga.start`);
const REPLY_QUEUE = env('REPLY_QUEUE', `${RUN_ID}.saga.replies`);
const OUTCOME_QUEUE = env('OUTCOME_QUEUE', `${RUN_ID}.saga.outcomes`);
const INVENTORY_QUEUE = env('INVENTORY_QUEUE', `${RUN_ID}.inventory.commands`);
const PAYMENT_QUEUE = env('PAYMENT_QUEUE', `${RUN_ID}.payment.commands`);
const SHIPPING_QUEUE = env('SHIPPING_QUEUE', `${RUN_ID}.shipping.commands`);
const RETRY_DELAY_MS = Number(env('RETRY_DELAY_MS', '500'));
const STEP_TIMEOUT_MS = Number(env('STEP_TIMEOUT_MS', '5000'));
const SAGA_DB = env('SAGA_DB', fileURLToPath(new URL('sagas.db', import.meta.url)));
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
const store = openSagaStore<Saga>(SAGA_DB);
/** The timer of each command that waits for its reply, by commandId. */
const timers = new Map<string, NodeJS.Timeout>();

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

/**
 * Sends a command and makes it the one the saga waits for. A resend passes the same commandId, so
 * a participant that already did the work does not do it twice.
 */
function send(saga: Saga, type: string, queue: string, commandId: string = randomUUID()): void {
  const { sagaId } = saga.order;
  saga.pending = { type, queue, commandId };
  // Saved before publishing: if this process dies right after, the restarted one can still tell
  // which reply the saga waits for.
  store.save(saga);
  publish(queue, envelope(type, SOURCE, sagaId, { ...saga.order, commandId }, commandId), { replyTo: REPLY_QUEUE, correlationId: commandId });
  startTimer(sagaId, commandId);
  report('command-sent', { sagaId, type, commandId });
}

function startTimer(sagaId: string, commandId: string): void {
  timers.set(commandId, setTimeout(() => onTimeout(sagaId, commandId), STEP_TIMEOUT_MS));
}

function stopTimer(commandId: string): void {
  clearTimeout(timers.get(commandId));
  timers.delete(commandId);
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
  stopTimer(pending.commandId);
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
  startCompensation(saga, { timedOut: false });
}

function onTimeout(sagaId: string, commandId: string): void {
  timers.delete(commandId);
  const saga = sagas.get(sagaId);
  // The reply came first: the saga no longer waits for this command.
  if (!saga || saga.pending?.commandId !== commandId) return;
  const command = saga.pending;
  report('step-timed-out', { sagaId, type: command.type, commandId, afterMs: STEP_TIMEOUT_MS });
  // Compensations and the steps after the pivot must succeed: send the same command again.
  if (saga.status === 'compensating' || STEPS[saga.step].retriable) return send(saga, command.type, command.queue, command.commandId);
  startCompensation(saga, { timedOut: true });
}

/**
 * Undoes the completed steps, newest first. A step that failed did nothing, so it is not undone.
 * A step that timed out may have run with only its reply missing, so it is undone first.
 */
function startCompensation(saga: Saga, { timedOut }: { timedOut: boolean }): void {
  saga.status = 'compensating';
  const completed = STEPS.slice(0, timedOut ? saga.step + 1 : saga.step).map((_, index) => index);
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
  // If this process dies before the retry, the saved state still waits for this command: the
  // restarted one resends it when its timeout ends.
  setTimeout(() => send(saga, command.type, command.queue, command.commandId), RETRY_DELAY_MS);
}

function finish(saga: Saga, outcome: 'approved' | 'rejected'): void {
  saga.status = outcome;
  store.save(saga);
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

// Resume before consuming, so a reply that arrived while this process was down finds its saga.
for (const saga of store.unfinished()) {
  sagas.set(saga.order.sagaId, saga);
  // The time spent down does not count against the participant: its reply may be waiting in
  // REPLY_QUEUE. So the resumed step gets a whole timeout.
  if (saga.pending) startTimer(saga.order.sagaId, saga.pending.commandId);
  report('saga-resumed', { sagaId: saga.order.sagaId, status: saga.status, waitingFor: saga.pending?.type });
}

await channel.consume(REPLY_QUEUE, (message) => handle<Reply>(message, (body) => onReply(body.data)));
await channel.consume(START_QUEUE, (message) => handle<Order>(message, (body) => start(body.data)));
report('ready', { startQueue: START_QUEUE, replyQueue: REPLY_QUEUE });

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  store.close();
  process.exit(0);
});
