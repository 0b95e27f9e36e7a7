import path from 'node:path';
import { fail } from '../../src/checking/failure.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import { createScratchDir, removeScratchDir } from '../../src/checking/scratch-dir.js';
import { executeSql, tableNames } from '../../src/checking/sqlite.js';
import { defineCheck } from '../../src/checking/types.js';
import {
  expectBalances,
  expectDebited,
  expectStableIds,
  failInMemory,
  failWrongBalances,
  mistakes,
  offsetsLine,
  waitCaughtUp,
  waitForCrash,
  type Context,
  type State,
} from './07-idempotent-consumer.expect.js';
import { debitsByPayment, makePayments, type Payment } from './07-idempotent-consumer.ledger.js';

export { mistakes };

const FAULT_TEXT = 'mq-course fault: processed_events rejects inserts for a moment';

function startLedger(context: Context, name: string, crashAt?: string): LearnerProcess {
  const ledger = context.spawn({
    name,
    program: 'ledger.ts',
    env: {
      PAYMENTS_TOPIC: context.state.payments,
      DEBITS_TOPIC: context.state.debits,
      GROUP_ID: context.state.group,
      LEDGER_DB: context.state.database,
      INSTANCE: name,
      ...(crashAt ? { CRASH_AT: crashAt } : {}),
    },
    // A program started with CRASH_AT exits by itself, which fails no step.
    exits: crashAt !== undefined,
  });
  context.state.ledgers.push(ledger);
  return ledger;
}

async function producePayments(context: Context, payments: Payment[], note: string): Promise<void> {
  await context.kafka.produce(context.state.payments, payments.map((payment) => ({ key: payment.accountId, value: JSON.stringify(payment) })));
  context.state.produced.push(...payments);
  context.trace(`produced ${payments.map((payment) => payment.eventId).join(', ')} to ${context.state.payments} (${note})`);
}

export default defineCheck<State>({
  brokers: ['kafka'],
  initialState: () => ({ payments: '', debits: '', group: '', folder: '', database: '', produced: [], ledgers: [] }),
  steps: [
    {
      id: 'ready',
      title: 'the ledger joins its consumer group and creates its tables',
      timeoutMs: 25_000,
      async run(context) {
        context.state.payments = context.name('payments');
        context.state.debits = context.name('account-debits');
        context.state.group = context.name('ledger');
        context.state.folder = createScratchDir(context.runId);
        context.state.database = path.join(context.state.folder, 'ledger.db');
        await context.kafka.createTopic(context.state.payments, 3);
        await context.kafka.createTopic(context.state.debits, 3);
        context.kafka.trackGroup(context.state.group);
        context.state.collector = await context.kafka.collect(context.state.debits);

        const ledger = startLedger(context, 'ledger-1');
        // A program start and a first join take about 2 s; 15 s leaves room on a busy machine.
        const deadline = Date.now() + 15_000;
        let group = await context.kafka.describeGroup(context.state.group);
        while (!(group.state === 'Stable' && group.clientIds.length === 1)) {
          if (Date.now() > deadline) {
            fail(`The ledger did not join the consumer group ${context.state.group} within 15 s${group.clientIds.length ? `; the group is ${group.state} with ${group.clientIds.length} member(s)` : ''}.`, {
              next: 'create the consumer with groupId: GROUP_ID, subscribe to PAYMENTS_TOPIC with fromBeginning: true, and call consumer.run({ eachMessage })',
            });
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
          group = await context.kafka.describeGroup(context.state.group);
        }
        await ledger.waitForEvent((event) => event.event === 'ready', 5000, '{"event":"ready"} after consumer.run()');
        const tables = tableNames(context.state.database);
        for (const table of ['accounts', 'processed_events']) {
          if (!tables.includes(table)) fail(`The ledger's database ${context.state.database} has no table ${table}.`, { actual: `tables: ${tables.join(', ') || 'none'}`, next: 'keep the CREATE TABLE statements of the starter' });
        }
        context.trace(`ledger-1 joined ${context.state.group}, with a database of its own in a temp folder`);
      },
    },
    {
      id: 'apply',
      title: '24 payments: each account debited, one AccountDebited per payment',
      timeoutMs: 25_000,
      async run(context) {
        const payments = makePayments(context.state.produced, 24);
        await producePayments(context, payments, 'new payments');
        await expectDebited(context, payments, 10_000);
        await waitCaughtUp(context, 5000, 'the last AccountDebited');
        expectBalances(context, (differences) => failWrongBalances(differences, 'Each payment arrived once.'));
      },
    },
    {
      id: 'duplicate',
      title: 'the same payment at a second offset is applied once',
      timeoutMs: 25_000,
      async run(context) {
        const again = context.state.produced.slice(0, 4);
        const fresh = makePayments(context.state.produced, 4);
        const mixed = fresh.flatMap((payment, index) => [again[index], payment]);
        await producePayments(context, mixed, `${again.map((payment) => payment.eventId).join(', ')} a second time, at new offsets`);
        await expectDebited(context, fresh, 10_000);
        await waitCaughtUp(context, 5000, 'the last AccountDebited');
        expectStableIds(context);
        expectBalances(context, (differences, markers) => {
          // An in-memory set would have caught these within one process, so nothing checks for duplicates.
          const recorded = again.filter((payment) => markers.includes(payment.eventId)).length;
          fail(`Payments that arrived a second time were debited twice${recorded ? ', although processed_events holds their event ids: the ledger records them but never checks them' : ', and processed_events is empty: the ledger does not deduplicate at all'}.`, {
            mistake: mistakes.noDedupe,
            actual: differences.join('; '),
            next: 'in the transaction, insert payment.eventId into processed_events, and debit only when the insert added a row',
          });
        });
      },
    },
    {
      id: 'marker-fault',
      title: 'the debit and the processed marker commit together',
      timeoutMs: 25_000,
      async run(context) {
        const ledger = context.state.ledgers.at(-1)!;
        executeSql(context.state.database, `CREATE TRIGGER mq_course_fault BEFORE INSERT ON processed_events BEGIN SELECT RAISE(ABORT, '${FAULT_TEXT}'); END;`);
        const [payment] = makePayments(context.state.produced, 1);
        await producePayments(context, [payment], 'while inserts into processed_events fail');
        const failed = () => ledger.output.some((line) => line.line.includes(FAULT_TEXT)) || ledger.events.some((event) => event.event === 'failed' && event.eventId === payment.eventId);
        const debited = () => debitsByPayment(context.state.collector!.records).has(payment.eventId);
        // The first delivery fails within about a second; 8 s leaves room on a busy machine.
        const deadline = Date.now() + 8000;
        while (!failed() && !debited()) {
          if (Date.now() > deadline) fail(`Within 8 s of producing ${payment.eventId}, the ledger neither failed on the processed_events insert nor sent an AccountDebited.`, { next: 'read its output below' });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        executeSql(context.state.database, 'DROP TRIGGER mq_course_fault;');
        context.trace(failed() ? `the ledger failed on ${payment.eventId} as expected; inserts into processed_events work again` : `${payment.eventId} went through without a processed_events insert`);

        await expectDebited(context, [payment], 10_000);
        await waitCaughtUp(context, 5000, 'the AccountDebited');
        if (!failed()) {
          failInMemory(`While every insert into processed_events failed, ${payment.eventId} went through without an error: the ledger never writes event ids to the database.`, `${payment.accountId} debited, processed_events untouched`);
        }
        expectBalances(context, (differences, markers) => {
          if (markers.length === 0) failInMemory('The balances are off and processed_events is empty.', differences.join('; '));
          fail(`The insert of the processed marker for ${payment.eventId} failed, yet its debit stayed: the ledger commits the debit and the marker in separate transactions. Each redelivery then debited the account again.`, {
            mistake: mistakes.separateTransaction,
            actual: differences.join('; '),
            next: 'do the marker insert and the debit inside one db.transaction(...), so a failure rolls both back',
          });
        });
      },
    },
    {
      id: 'crash-after-commit',
      title: 'a crash after the database commit: the payment is applied once',
      timeoutMs: 25_000,
      async run(context) {
        await context.state.ledgers.at(-1)!.stop();
        // stop() ends with SIGKILL when SIGTERM takes over 3 s, and a killed member stays in the group.
        await context.kafka.removeMembers(context.state.group);
        const [payment] = makePayments(context.state.produced, 1);
        await producePayments(context, [payment], 'while no ledger runs');
        const crasher = startLedger(context, 'ledger-2', 'after-db-commit');
        await waitForCrash(context, crasher, 'after-db-commit', (what) =>
          fail(`ledger-2 runs with CRASH_AT=after-db-commit, but ${what}.`, { next: "call crashPoint('after-db-commit') right after the transaction, before sending the AccountDebited" }),
        );
        expectBalances(context, (differences) => failWrongBalances(differences, `ledger-2 crashed right after committing ${payment.eventId}, so it must be applied exactly once.`));
      },
    },
    {
      id: 'crash-after-publish',
      title: 'the redelivered payment is announced, not debited again, and a re-sent AccountDebited keeps its id',
      timeoutMs: 30_000,
      async run(context) {
        const crashed = context.state.produced.at(-1)!;
        const announced = () => debitsByPayment(context.state.collector!.records).has(crashed.eventId);
        const failNotRepublished = (): never =>
          fail(`No AccountDebited was ever sent for ${crashed.eventId}: ledger-2 crashed between the commit and the send, and ledger-3 skipped the redelivered duplicate without sending it.`, {
            mistake: mistakes.notRepublished,
            next: 'for a duplicate, skip the debit but still send the AccountDebited with the same id: the first attempt may have crashed before sending it',
          });
        const republisher = startLedger(context, 'ledger-3', 'after-publish');
        await waitForCrash(context, republisher, 'after-publish', (what) => {
          if (!announced()) failNotRepublished();
          fail(`ledger-3 runs with CRASH_AT=after-publish, but ${what}.`, { next: "call crashPoint('after-publish') right after the AccountDebited send, for a duplicate too" });
        });
        expectBalances(context, (differences, markers) => {
          if (markers.length === 0) failInMemory(`After a restart, ${crashed.eventId} was debited again, and processed_events is empty.`, differences.join('; '));
          failWrongBalances(differences, `ledger-3 received ${crashed.eventId} again after ledger-2 crashed.`);
        });
        // The collector trails the ledger's send by a fetch or two; 3 s is plenty.
        await context.state.collector!.waitUntil(announced, 3000, failNotRepublished);

        const [payment] = makePayments(context.state.produced, 1);
        await producePayments(context, [payment], 'after the crashes');
        startLedger(context, 'ledger-4');
        await expectDebited(context, [crashed, payment], 10_000);
        await waitCaughtUp(context, 5000, 'the AccountDebited');
        expectBalances(context, (differences, markers) => {
          if (markers.length === 0) failInMemory('After the restarts, payments were debited again, and processed_events is empty.', differences.join('; '));
          failWrongBalances(differences, `ledger-4 received ${crashed.eventId} a third time.`);
        });
        expectStableIds(context);
      },
    },
    {
      id: 'replay',
      title: 'an offset reset replays the whole log: the balances do not change',
      timeoutMs: 30_000,
      async run(context) {
        await context.state.ledgers.at(-1)!.stop();
        await context.kafka.removeMembers(context.state.group);
        await context.kafka.rewindGroup(context.state.group, context.state.payments);
        context.trace(`reset the offsets of ${context.state.group} to the earliest records (${await offsetsLine(context)}); starting ledger-5`);
        const ledger = startLedger(context, 'ledger-5');
        await waitCaughtUp(context, 15_000, 'the offset reset');
        expectBalances(context, (differences, markers) => {
          if (markers.length === 0) failInMemory('After the offset reset, the replayed payments were debited again, and processed_events is empty.', differences.join('; '));
          failWrongBalances(differences, `After the offset reset, ledger-5 received all ${context.state.produced.length} payments again.`);
        });
        expectStableIds(context);
        await ledger.stop();
        removeScratchDir(context.state.folder);
      },
    },
  ],
});
