// The ledger check's shared state and the assertions its steps make on the database and the topics.
import { fail } from '../../src/checking/failure.js';
import type { KafkaCollector } from '../../src/checking/kafka-collector.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import type { CheckContext } from '../../src/checking/types.js';
import {
  balanceDifferences,
  debitShapeProblem,
  debitsByPayment,
  expectedBalances,
  formatBalances,
  readBalances,
  readMarkers,
  type Payment,
} from './07-idempotent-consumer.ledger.js';

export interface State {
  payments: string;
  debits: string;
  group: string;
  folder: string;
  database: string;
  produced: Payment[];
  ledgers: LearnerProcess[];
  collector?: KafkaCollector;
}

export type Context = CheckContext<State>;

export const mistakes = {
  dedupeOnOffset: 'dedupe-on-offset',
  inMemorySet: 'in-memory-dedupe',
  separateTransaction: 'marker-in-separate-transaction',
  noDedupe: 'no-dedupe',
  notRepublished: 'duplicate-not-republished',
  newIdOnResend: 'new-id-on-resend',
} as const;

export async function offsetsLine(context: Context): Promise<string> {
  const [ends, committed] = await Promise.all([context.kafka.endOffsets(context.state.payments), context.kafka.committedOffsets(context.state.group, context.state.payments)]);
  return [...ends].map(([partition, end]) => `partition ${partition}: committed ${committed.get(partition) ?? -1} of ${end}`).join('; ');
}

/** Returns true once the group has committed every payment on the topic, i.e. the ledger is done with them. */
export async function caughtUp(context: Context): Promise<boolean> {
  const [ends, committed] = await Promise.all([context.kafka.endOffsets(context.state.payments), context.kafka.committedOffsets(context.state.group, context.state.payments)]);
  // An empty partition has nothing to commit: its committed offset stays -1.
  return [...ends].every(([partition, end]) => end === 0 || committed.get(partition) === end);
}

export async function waitCaughtUp(context: Context, windowMs: number, what: string): Promise<void> {
  const deadline = Date.now() + windowMs;
  while (!(await caughtUp(context))) {
    if (Date.now() > deadline) {
      fail(`Within ${windowMs / 1000} s of ${what}, the ledger did not commit its offsets to the end of ${context.state.payments}.`, {
        actual: await offsetsLine(context),
        next: 'let eachMessage return once a payment is applied and its AccountDebited is sent; kafkajs then commits the offset (autoCommit)',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Waits until every payment has an AccountDebited of the right shape. */
export async function expectDebited(context: Context, payments: Payment[], windowMs: number): Promise<void> {
  const collector = context.state.collector!;
  await collector.waitUntil(
    (records) => {
      const byPayment = debitsByPayment(records);
      return payments.every((payment) => byPayment.has(payment.eventId));
    },
    windowMs,
    () => {
      const byPayment = debitsByPayment(collector.records);
      const missing = payments.filter((payment) => !byPayment.has(payment.eventId)).map((payment) => payment.eventId);
      fail(`Within ${windowMs / 1000} s, no AccountDebited arrived on ${context.state.debits} for ${missing.join(', ')}.`, {
        expected: 'an AccountDebited envelope with data { paymentId, accountId, amountCents } for every payment',
        next: 'after the transaction, send envelope("AccountDebited", ...) to DEBITS_TOPIC with key accountId, and await the send',
      });
    },
  );
  const byPayment = debitsByPayment(collector.records);
  for (const payment of payments) {
    for (const record of byPayment.get(payment.eventId)!) {
      const problem = debitShapeProblem(record, payment);
      if (problem) fail(`${problem[0].toUpperCase()}${problem.slice(1)}.`, { expected: 'type "AccountDebited", data { paymentId, accountId, amountCents }, key accountId' });
    }
  }
}

/** Every AccountDebited of one payment must carry the same envelope id, however often it was sent. */
export function expectStableIds(context: Context): void {
  for (const [paymentId, records] of debitsByPayment(context.state.collector!.records)) {
    const ids = new Set(records.map((record) => (record.body as { id?: unknown }).id));
    if (ids.size > 1) {
      fail(`The AccountDebited for ${paymentId} was sent ${records.length} times with ${ids.size} different ids (${[...ids].join(', ')}): consumers cannot tell a re-send from a new debit.`, {
        mistake: mistakes.newIdOnResend,
        next: 'derive the envelope id from the payment, e.g. `${eventId}.debited`, and pass it as the last argument of envelope()',
      });
    }
  }
}

/**
 * Compares the balances in the database with the distinct payments. On a mismatch, the processed
 * markers tell the mistakes apart; `explain` names the one this step's fault exposes.
 */
export function expectBalances(context: Context, explain: (differences: string[], markers: string[]) => never): void {
  const expected = expectedBalances(context.state.produced);
  const actual = readBalances(context.state.database);
  const differences = balanceDifferences(expected, actual);
  if (differences.length === 0) {
    context.trace(`balances match the distinct payments: ${formatBalances(actual)}`);
    return;
  }
  context.trace(`balances in the ledger's database: ${formatBalances(actual)}`);
  const markers = readMarkers(context.state.database);
  const paymentIds = new Set(context.state.produced.map((payment) => payment.eventId));
  if (markers.length > 0 && !markers.some((marker) => paymentIds.has(marker))) {
    fail(`A payment was debited again when it arrived at a second offset. processed_events holds ${markers.slice(0, 3).join(', ')}..., not event ids: the ledger deduplicates on the Kafka offset, and a producer that sends the same payment twice gives it a new offset.`, {
      mistake: mistakes.dedupeOnOffset,
      actual: differences.join('; '),
      next: 'store payment.eventId in processed_events and look duplicates up by it',
    });
  }
  explain(differences, markers);
}

/** Fails because the processed event ids are not in the database; `evidence` describes what the step observed. */
export function failInMemory(evidence: string, actual: string): never {
  fail(`${evidence} The ledger keeps processed event ids in memory only, so a restarted process forgets them and applies redelivered payments again.`, {
    mistake: mistakes.inMemorySet,
    actual,
    next: 'insert payment.eventId into processed_events in the same transaction as the debit, and skip a payment whose id is already there',
  });
}

export function failWrongBalances(differences: string[], situation: string): never {
  fail(`${situation} The balances no longer equal the sum over distinct payments.`, {
    actual: differences.join('; '),
    next: 'in one transaction: insert the event id into processed_events, and debit only when the insert added a row',
  });
}

// Starting, joining the group and reading one payment take about 2 s.
export const CRASH_WINDOW_MS = 10_000;

/**
 * Waits for a ledger started with CRASH_AT to crash at `label`, then removes it from the group.
 * Calls `onNoCrash` when it commits the pending payment without crashing, or after the window.
 */
export async function waitForCrash(context: Context, ledger: LearnerProcess, label: string, onNoCrash: (what: string) => never): Promise<void> {
  const deadline = Date.now() + CRASH_WINDOW_MS;
  let passedSince: number | undefined;
  while (ledger.running) {
    // A ledger that crashes at the point never commits the payment's offset. 1 s after such a
    // commit the checker's reader has caught up with anything the ledger sent.
    if (passedSince === undefined && (await caughtUp(context))) passedSince = Date.now();
    if (passedSince !== undefined && Date.now() - passedSince > 1000) onNoCrash(`it committed the offset of the payment without crashing`);
    if (Date.now() > deadline) onNoCrash(`it neither crashed nor committed the payment within ${CRASH_WINDOW_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const crashed = ledger.events.some((event) => event.event === 'crash' && event.label === label);
  if (!crashed) fail(`${ledger.name} exited (${ledger.exit!.signal ?? `code ${ledger.exit!.code}`}) without reaching crashPoint('${label}').`, { next: 'read its output below' });
  context.trace(`${ledger.name} crashed at ${label}`);
  // The coordinator would drop the dead member after its 6 s session timeout; the next ledger need not wait.
  await context.kafka.removeMembers(context.state.group);
}

