// The outbox check's setup and its learner programs: the order service fed orders on stdin, and
// the relay, both talking to Kafka through a gate the checker can cut.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fail } from '../../src/checking/failure.js';
import { KafkaGate } from '../../src/checking/faults/kafka-gate.js';
import type { LearnerEvent, LearnerProcess } from '../../src/checking/learner.js';
import { TopicWatcher } from '../../src/checking/outbox-topic.js';
import type { CheckContext } from '../../src/checking/types.js';

export const mistakes = {
  publishInTransaction: 'publish-inside-transaction',
  publishAfterCommit: 'publish-after-commit-without-outbox',
  relayNewIds: 'relay-mints-new-ids',
  markBeforeAck: 'mark-sent-before-ack',
} as const;

export const PARTITIONS = 3;
/** The relay's poll interval the checker sets; the outage step's timing assumes it. */
export const POLL_MS = 200;

export interface OrderLine {
  orderId: string;
  customerId: string;
  amountCents: number;
}

export interface State {
  topic: string;
  dbFile: string;
  /** The gate's bootstrap address: what the programs get as KAFKA_BROKERS. */
  bootstrap: string;
  gate?: KafkaGate;
  watcher?: TopicWatcher;
  service?: LearnerProcess;
  relay?: LearnerProcess;
}

export type Context = CheckContext<State>;

export function orderLine(n: number): OrderLine {
  return { orderId: `o-${n}`, customerId: `c-${(n % 3) + 1}`, amountCents: 1000 + n * 250 };
}

/** Creates the topic, a fresh database folder, the gate in front of Kafka and the topic watcher. */
export async function setUp(context: Context): Promise<void> {
  const { state } = context;
  if (context.endpoints.kafkaSecurity?.ssl) {
    fail('This check puts a proxy between your programs and Kafka to make the broker unreachable for a while, and a proxy cannot read TLS traffic.', {
      next: 'run this exercise against a local broker without TLS: mq-course up kafka',
    });
  }
  state.topic = context.name('orders');
  await context.kafka.createTopic(state.topic, PARTITIONS);

  const folder = mkdtempSync(path.join(os.tmpdir(), `${context.runId}-`));
  context.defer(() => rmSync(folder, { recursive: true, force: true }));
  state.dbFile = path.join(folder, 'orders.db');

  const gate = await KafkaGate.start(context.endpoints.kafkaBrokers);
  context.defer(() => gate.close());
  state.gate = gate;
  state.bootstrap = await gate.bootstrap();

  const watcher = await TopicWatcher.start(context.kafka, state.topic, context.name('checker-watch'), context.elapsed);
  context.defer(() => watcher.stop());
  state.watcher = watcher;
  context.trace(`topic ${state.topic} (${PARTITIONS} partitions); database ${state.dbFile}; programs reach Kafka through the checker's gate at ${state.bootstrap}`);
}

function programEnv(context: Context, crashAt?: string): Record<string, string> {
  const { state } = context;
  return { ORDERS_DB: state.dbFile, ORDERS_TOPIC: state.topic, KAFKA_BROKERS: state.bootstrap, POLL_MS: String(POLL_MS), ...(crashAt ? { CRASH_AT: crashAt } : {}) };
}

/** Waits for a program's {"event":"ready"}; fails if it exits first. */
async function waitReady(program: LearnerProcess, file: string): Promise<void> {
  // A cold tsx start takes about 1 s on a busy 2-core machine; 15 s leaves room for a slow disk.
  const windowMs = 15_000;
  const found = await program.waitFor(
    () => program.events.find((event) => event.event === 'ready') ?? (program.exit ? 'exited' : undefined),
    windowMs,
    () => fail(`${program.name} did not report {"event":"ready"} within ${windowMs / 1000} s of starting.`, { next: `keep the report('ready', ...) line of ${file}, after the setup it does` }),
  );
  if (found === 'exited') fail(`${program.name} exited before it reported ready (${describeExit(program)}).`, { next: 'read its output below' });
}

/**
 * Starts the order service. It runs with `exits: true` because a crash point may end it, and every
 * wait on it notices an exit, so the runner's guard against programs that die is not needed.
 */
export async function startService(context: Context, name: string, crashAt?: string): Promise<LearnerProcess> {
  const service = context.spawn({ name, program: 'order-service.ts', env: programEnv(context, crashAt), exits: true });
  await waitReady(service, 'order-service.ts');
  return service;
}

/** Starts the relay; only one started with a crash point may exit on its own. */
export async function startRelay(context: Context, name: string, crashAt?: string): Promise<LearnerProcess> {
  const relay = context.spawn({ name, program: 'relay.ts', env: programEnv(context, crashAt), exits: crashAt !== undefined });
  await waitReady(relay, 'relay.ts');
  return relay;
}

export type Outcome =
  | { kind: 'accepted'; eventId?: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'crashed'; label: string }
  | { kind: 'exited'; how: string }
  | { kind: 'silent'; windowMs: number };

class Silence extends Error {}

/** Writes one order line to the order service and returns what it reported for it within `windowMs`. */
export async function placeOrder(context: Context, service: LearnerProcess, order: OrderLine, windowMs: number): Promise<Outcome> {
  const from = service.events.length;
  service.write(JSON.stringify(order) + '\n');
  context.trace(`→ ${service.name}  ${order.orderId} (customer ${order.customerId}, ${order.amountCents} cents)`);
  const about = (event: LearnerEvent) => event.orderId === order.orderId;
  let outcome: Outcome;
  try {
    outcome = await service.waitFor<Outcome>(
      () => {
        const events = service.events.slice(from);
        const crash = events.find((event) => event.event === 'crash');
        if (crash) return { kind: 'crashed', label: String(crash.label) };
        const reply = events.find((event) => (event.event === 'accepted' || event.event === 'rejected') && about(event));
        if (reply?.event === 'accepted') return { kind: 'accepted', eventId: typeof reply.eventId === 'string' ? reply.eventId : undefined };
        if (reply) return { kind: 'rejected', reason: String(reply.reason ?? '(no reason)') };
        if (service.exit) return { kind: 'exited', how: describeExit(service) };
        return undefined;
      },
      windowMs,
      () => {
        throw new Silence();
      },
    );
  } catch (error) {
    if (!(error instanceof Silence)) throw error;
    outcome = { kind: 'silent', windowMs };
  }
  context.trace(`← ${service.name}  ${describeOutcome(outcome, order.orderId)}`);
  return outcome;
}

/** Says what the service did with an order, e.g. "accepted o-3 (event 1a2b3c4d…)". */
export function describeOutcome(outcome: Outcome, orderId: string): string {
  switch (outcome.kind) {
    case 'accepted':
      return `accepted ${orderId} (event ${outcome.eventId ? `${outcome.eventId.slice(0, 8)}…` : 'id not reported'})`;
    case 'rejected':
      return `rejected ${orderId} (${outcome.reason})`;
    case 'crashed':
      return `crashed at ${outcome.label} while placing ${orderId}`;
    case 'exited':
      return `exited (${outcome.how}) while placing ${orderId}`;
    case 'silent':
      return `did not answer for ${orderId} within ${outcome.windowMs / 1000} s`;
  }
}

export function describeExit(program: LearnerProcess): string {
  const exit = program.exit;
  if (!exit) return 'still running';
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** Fails a step because a new order was not accepted, saying what the service did instead. */
export function failNotAccepted(order: OrderLine, outcome: Outcome, serviceName: string): never {
  if (outcome.kind === 'silent') {
    fail(`${serviceName} reported neither accepted nor rejected for ${order.orderId} within ${outcome.windowMs / 1000} s.`, {
      expected: `{"event":"accepted","orderId":"${order.orderId}","eventId":...}`,
      next: 'complete the TODOs in order-service.ts: insert the order and its outbox row in one transaction, then report("accepted", { orderId, eventId })',
    });
  }
  if (outcome.kind === 'rejected') {
    fail(`${serviceName} rejected ${order.orderId} (${outcome.reason}), a new order id.`, { next: 'reject only an order whose id is already in the orders table' });
  }
  fail(`${serviceName} ${describeOutcome(outcome, order.orderId)}.`, { next: 'read its output below' });
}
