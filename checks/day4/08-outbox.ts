import { CheckFailure, fail } from '../../src/checking/failure.js';
import { outboxRowsFor } from '../../src/checking/sqlite-outbox.js';
import { defineCheck } from '../../src/checking/types.js';
import { distinctIds, expectMarkedSent, expectPublished, recordsFor, snapshot, verifyEvents } from './08-outbox-evidence.js';
import { describeOutcome, failNotAccepted, mistakes, orderLine, placeOrder, setUp, startRelay, startService, type Context, type OrderLine, type Outcome, type State } from './08-outbox-programs.js';

export { mistakes };

// The order service handles each line at once (one SQLite transaction), so 5 s is only slack.
const ANSWER_MS = 5000;
// The relay polls every POLL_MS (200 ms in the reference) and Kafka acknowledges in milliseconds.
const PUBLISH_MS = 10_000;
// After Kafka comes back, a kafkajs client may still be in its retry backoff (up to about 5 s with
// the default retry settings of kafkajs 2.2.4) before the relay's next attempt.
const FLUSH_MS = 15_000;
// How long Kafka stays unreachable: 7 polls of a relay with POLL_MS = 200, short enough to keep the check quick.
const OUTAGE_MS = 1500;

async function placeAll(context: Context, orders: OrderLine[]): Promise<void> {
  for (const order of orders) {
    const outcome = await placeOrder(context, context.state.service!, order, ANSWER_MS);
    if (outcome.kind !== 'accepted') failNotAccepted(order, outcome, context.state.service!.name);
  }
}

/** Fails for an order the service did not accept while Kafka was unreachable; the database shows which mistake it is. */
function failBlockedOrder(context: Context, order: OrderLine, outcome: Outcome): never {
  const what = describeOutcome(outcome, order.orderId);
  const db = snapshot(context);
  if (!db.orders.has(order.orderId)) {
    fail(`With Kafka unreachable, the order service ${what}, and ${order.orderId} is not committed: the service waits for Kafka inside its order transaction. An order must not depend on the broker being up, and an event published inside a transaction that later rolls back announces an order that does not exist.`, {
      mistake: mistakes.publishInTransaction,
      expected: `${order.orderId} accepted at once and its event kept in the outbox until Kafka is back`,
      actual: `the service ${what}; ${order.orderId} is not in the orders table`,
      next: 'do not publish in order-service.ts: insert the order and the outbox row in one transaction, commit, report accepted; relay.ts publishes later',
    });
  }
  if (outboxRowsFor(db, order.orderId).length === 0) {
    fail(`With Kafka unreachable, ${order.orderId} was committed, but the order service ${what}: it publishes the event itself after the commit and has no outbox row to fall back on.`, {
      mistake: mistakes.publishAfterCommit,
      next: 'insert the event into the outbox table in the same transaction as the order, and let relay.ts publish it',
    });
  }
  fail(`With Kafka unreachable, the order service ${what}, although the order and its outbox row are committed.`, {
    next: 'report accepted right after the commit; nothing in order-service.ts should wait for Kafka',
  });
}

export default defineCheck<State>({
  brokers: ['kafka'],
  initialState: () => ({ topic: '', dbFile: '', bootstrap: '' }),
  diagnose(failure, output) {
    if (failure.details.mistake !== 'program-exited' || !/relay/.test(failure.message)) return undefined;
    const line = output.find((text) => /KafkaJS\w*Error|ECONNRESET|ECONNREFUSED/.test(text));
    if (!line) return undefined;
    return new CheckFailure(`The relay crashed on a Kafka error: "${line.trim().slice(0, 200)}". While Kafka is unreachable the relay must keep running and keep the rows unsent.`, {
      next: 'wrap each batch in try/catch: on an error, leave the rows unsent, wait POLL_MS and try them again',
    });
  },
  steps: [
    {
      id: 'publish',
      title: 'each committed order reaches the topic once, with its outbox event id',
      timeoutMs: 45_000,
      async run(context) {
        await setUp(context);
        const [relay, service] = await Promise.all([startRelay(context, 'relay'), startService(context, 'order-service')]);
        context.state.relay = relay;
        context.state.service = service;
        const orders = [1, 2, 3, 4, 5, 6].map(orderLine);
        await placeAll(context, orders);
        await expectPublished(context, orders.map((order) => order.orderId), PUBLISH_MS);
        const db = await expectMarkedSent(context, orders.map((order) => order.orderId), ANSWER_MS);
        verifyEvents(context, orders, db);
      },
    },
    {
      id: 'rejected',
      title: 'a rejected order (a duplicate order id) emits nothing',
      timeoutMs: 30_000,
      async run(context) {
        const original = orderLine(1);
        const duplicate: OrderLine = { orderId: original.orderId, customerId: 'c-duplicate', amountCents: 99_999 };
        const outcome = await placeOrder(context, context.state.service!, duplicate, ANSWER_MS);
        if (outcome.kind === 'accepted') {
          fail(`The order service accepted a second order with the id ${duplicate.orderId}.`, {
            expected: `{"event":"rejected","orderId":"${duplicate.orderId}",...}`,
            next: 'keep order_id the primary key of orders; when the insert fails with SQLITE_CONSTRAINT_PRIMARYKEY, report("rejected", { orderId, reason })',
          });
        }
        if (outcome.kind !== 'rejected') fail(`The order service ${describeOutcome(outcome, duplicate.orderId)}, a duplicate order id.`, { next: 'report("rejected", { orderId, reason }) when the order id already exists' });

        // An order placed after the duplicate: once its row is published and marked sent, the relay
        // has handled every row before it, so an event for the rejected order would be out by then.
        const marker = orderLine(7);
        await placeAll(context, [marker]);
        await expectPublished(context, [marker.orderId], PUBLISH_MS);
        const db = await expectMarkedSent(context, [marker.orderId], ANSWER_MS);
        const leaked = recordsFor(context, duplicate.orderId).filter((record) => (record.body as { data?: OrderLine })?.data?.amountCents === duplicate.amountCents);
        if (leaked.length || outboxRowsFor(db, duplicate.orderId).length > 1) {
          fail(`An event for the rejected duplicate of ${duplicate.orderId} (amountCents ${duplicate.amountCents}) was ${leaked.length ? 'published' : 'written to the outbox'}: its outbox row was not rolled back with the order.`, {
            next: 'insert the outbox row inside the same transaction as the order, so the failed insert rolls both back',
          });
        }
        const ids = distinctIds(recordsFor(context, duplicate.orderId));
        if (ids.length !== 1) fail(`${duplicate.orderId} now has ${ids.length} event ids on the topic; the rejected duplicate must add none.`, { next: 'publish only rows that the committed order transaction wrote' });
      },
    },
    {
      id: 'crash-after-commit',
      title: 'a crash right after the commit still publishes the order, after a restart',
      timeoutMs: 45_000,
      async run(context) {
        await context.state.service!.stop();
        const crashing = await startService(context, 'order-service (CRASH_AT=after-commit)', 'after-commit');
        const order = orderLine(8);
        const outcome = await placeOrder(context, crashing, order, ANSWER_MS);
        if (outcome.kind !== 'crashed') {
          fail(`The order service ${describeOutcome(outcome, order.orderId)} with CRASH_AT=after-commit, without crashing.`, {
            next: "keep crashPoint('after-commit') in order-service.ts right after the transaction commits, before report('accepted', ...)",
          });
        }
        await crashing.exited;
        if (!snapshot(context).orders.has(order.orderId)) {
          fail(`The order service crashed at 'after-commit', but ${order.orderId} is not committed: the crash point runs before the transaction commits.`, {
            next: "call crashPoint('after-commit') after the transaction function has returned",
          });
        }
        context.trace(`order-service crashed after committing ${order.orderId}; restarting it`);
        context.state.service = await startService(context, 'order-service (restarted)');
        await expectPublished(context, [order.orderId], PUBLISH_MS, { afterCrashAfterCommit: true });
        const db = await expectMarkedSent(context, [order.orderId], ANSWER_MS);
        verifyEvents(context, [order], db);
      },
    },
    {
      id: 'broker-unreachable',
      title: 'with Kafka unreachable, orders are still accepted, and published once it is back',
      timeoutMs: 45_000,
      async run(context) {
        const gate = context.state.gate!;
        const orders = [9, 10, 11].map(orderLine);
        gate.cut();
        const cutAt = context.elapsed();
        context.trace('checker: Kafka is now unreachable for the programs (the gate drops and refuses their connections)');
        for (const order of orders) {
          const outcome = await placeOrder(context, context.state.service!, order, ANSWER_MS);
          if (outcome.kind !== 'accepted') failBlockedOrder(context, order, outcome);
        }

        // Fault timing: Kafka stays away for OUTAGE_MS while the checker watches the outbox. No
        // broker can acknowledge anything now, so a row marked sent was marked before an acknowledgement.
        const until = Date.now() + OUTAGE_MS;
        while (Date.now() < until) {
          const early = snapshot(context).outbox.find((row) => orders.some((order) => order.orderId === row.key) && row.sentAt !== null);
          if (early) {
            fail(`The relay marked the outbox row of ${early.key} (seq ${early.seq}) sent while Kafka was unreachable (since ${(cutAt / 1000).toFixed(1)} s): no broker acknowledged it. If that send fails, the row is never sent again and the event is lost.`, {
              mistake: mistakes.markBeforeAck,
              expected: 'rows stay unsent while Kafka is unreachable',
              actual: `sent_at = ${early.sentAt}`,
              next: 'mark rows sent only after await producer.send(...) has resolved; when it throws, leave them unsent so the next poll retries them',
            });
          }
          await context.sleep(100);
        }
        if (gate.unsupported) {
          fail(`The programs' Kafka client asked for ${gate.unsupported}, which the checker's proxy cannot rewrite, so it went around the proxy and Kafka never became unreachable for it.`, {
            next: 'use kafkajs, as the starters do',
          });
        }
        gate.restore();
        context.trace(`checker: Kafka is reachable again (${gate.refused} connection attempts were refused meanwhile)`);

        await expectPublished(context, orders.map((order) => order.orderId), FLUSH_MS);
        const db = await expectMarkedSent(context, orders.map((order) => order.orderId), ANSWER_MS);
        verifyEvents(context, orders, db);
      },
    },
    {
      id: 'crash-after-publish',
      title: 'a crash right after publishing only repeats the event, with the same id',
      timeoutMs: 45_000,
      async run(context) {
        await context.state.relay!.stop();
        const crashing = await startRelay(context, 'relay (CRASH_AT=after-publish)', 'after-publish');
        const order = orderLine(12);
        await placeAll(context, [order]);
        await crashing.waitFor(
          () => crashing.exit,
          PUBLISH_MS,
          () =>
            fail(`The relay did not crash within ${PUBLISH_MS / 1000} s of ${order.orderId}'s commit, although CRASH_AT=after-publish.`, {
              next: recordsFor(context, order.orderId).length
                ? "keep crashPoint('after-publish') in relay.ts right after await producer.send(...)"
                : 'the relay did not publish the new row; read its output below',
            }),
        );
        const row = outboxRowsFor(snapshot(context), order.orderId)[0];
        if (row?.sentAt) {
          fail(`The relay crashed at 'after-publish', but the outbox row of ${order.orderId} was already marked sent: it was marked before the acknowledgement, or the crash point comes after the update.`, {
            next: "order the relay as: await producer.send(...), crashPoint('after-publish'), then mark the rows sent",
          });
        }
        context.trace(`relay crashed after publishing ${order.orderId}, before marking it sent; restarting it`);
        context.state.relay = await startRelay(context, 'relay (restarted)');
        const db = await expectMarkedSent(context, [order.orderId], PUBLISH_MS);
        // The republished copy was acknowledged before the row was marked, so it reaches the watcher within moments.
        await expectPublished(context, [order.orderId], ANSWER_MS, { count: 2 });
        verifyEvents(context, [order], db);
        const copies = recordsFor(context, order.orderId).length;
        if (copies > 2) fail(`${order.orderId} is on the topic ${copies} times; one crash after the publish should repeat it once.`, { next: 'mark the rows sent right after the acknowledgement' });
      },
    },
  ],
});
