import { ChoreographyDriver, type EmittedEvent } from '../../src/checking/saga/choreography-driver.js';
import { defineCheck } from '../../src/checking/types.js';
import { beginStep, failTrace, INITIAL_STOCK, mistakes, order, play, send, type Context, type Order, type PlayResult, reply, type State } from './09-saga-participant-script.js';

export { mistakes };

const STEP_MS = 20_000;

function emittedFor(emitted: EmittedEvent[], type: string, subject: Order): EmittedEvent[] {
  return emitted.filter((event) => event.envelope.type === type && event.envelope.data?.orderId === subject.orderId);
}

/** Fails with the side-by-side trace unless the round matched. */
function expectRound(context: Context, result: PlayResult, message: string, next: string): void {
  if (!result.matches) failTrace(context, message, { next });
}

async function setUp(context: Context): Promise<void> {
  const { state, rabbit } = context;
  state.exchange = context.name('saga');
  state.queue = context.name('inventory');
  await rabbit.declareExchange(state.exchange, 'topic', { durable: true });
  rabbit.track('queue', state.queue);

  // The checker's own queue gets everything inventory emits.
  const events = context.name('checker-events');
  await rabbit.declareQueue(events, { durable: true });
  await rabbit.bind(events, state.exchange, 'inventory.#');
  const collector = await rabbit.collect(events);

  const inventory = context.spawn({
    name: 'inventory',
    program: 'inventory.ts',
    env: { SAGA_EXCHANGE: state.exchange, INVENTORY_QUEUE: state.queue, INITIAL_STOCK: JSON.stringify(INITIAL_STOCK) },
  });
  state.inventory = inventory;
  // A cold tsx start takes about 1 s on a busy 2-core machine; 15 s leaves room for a slow disk.
  await inventory.waitForEvent((event) => event.event === 'ready', 15_000, '{"event":"ready"} after starting to consume');
  await rabbit.waitForConsumers(state.queue, 1, 5000, 'inventory');
  state.driver = new ChoreographyDriver(context, state.exchange, inventory, collector);
  context.trace(`exchange ${state.exchange} (topic), inventory queue ${state.queue}, stock ${JSON.stringify(INITIAL_STOCK)}`);
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({ exchange: '', queue: '', expected: [], actual: [] }),
  steps: [
    {
      id: 'happy-path',
      title: 'happy path: OrderCreated reserves stock, PaymentApproved commits it',
      timeoutMs: STEP_MS,
      async run(context) {
        beginStep(context);
        await setUp(context);
        const next = 'complete the TODOs in inventory.ts: on OrderCreated take qty off the available stock and emit StockReserved (StockRejected when too few are left); on PaymentApproved emit StockCommitted';
        const first = await play(context, [], 'sku-a', 10, () => []);
        expectRound(context, first, `inventory reports ${JSON.stringify(first.available)} units of sku-a before any order; it starts with ${INITIAL_STOCK['sku-a']} (INITIAL_STOCK).`, 'read the stock from INITIAL_STOCK and reply to StockQuery with the available units');

        const o1 = order(1, 'sku-a', 2);
        expectRound(context, await play(context, [send.created(o1)], 'sku-a', 8, () => [reply('StockReserved', o1)]), `inventory's reply to OrderCreated ${o1.orderId} differs from the expected trace.`, next);
        expectRound(context, await play(context, [send.approved(o1)], 'sku-a', 8, () => [reply('StockCommitted', o1)]), `inventory's reply to PaymentApproved ${o1.orderId} differs from the expected trace.`, next);
      },
    },
    {
      id: 'payment-failure',
      title: 'a failed payment releases the reservation and restores the stock',
      timeoutMs: STEP_MS,
      async run(context) {
        beginStep(context);
        const o2 = order(2, 'sku-a', 3);
        const next = 'on PaymentFailed or OrderCancelled, give the reserved units back and emit StockReleased';
        expectRound(context, await play(context, [send.created(o2)], 'sku-a', 5, () => [reply('StockReserved', o2)]), `inventory's reply to OrderCreated ${o2.orderId} differs from the expected trace.`, next);
        expectRound(context, await play(context, [send.paymentFailed(o2)], 'sku-a', 8, () => [reply('StockReleased', o2)]), `After PaymentFailed ${o2.orderId}, inventory's reply or stock differs from the expected trace.`, next);
      },
    },
    {
      id: 'duplicate-create',
      title: 'a duplicate OrderCreated gets the same reply again and reserves nothing more',
      timeoutMs: STEP_MS,
      async run(context) {
        beginStep(context);
        const o3 = order(3, 'sku-a', 1);
        const created = send.created(o3);
        expectRound(context, await play(context, [created], 'sku-a', 7, () => [reply('StockReserved', o3)]), `inventory's reply to OrderCreated ${o3.orderId} differs from the expected trace.`, 'reserve the units and emit StockReserved');

        const again = await play(context, [send.created(o3, created)], 'sku-a', 7, () => [reply('StockReserved', o3, { repeat: true })]);
        if (again.matches) return;
        const fresh = emittedFor(again.emitted, 'StockReserved', o3).filter((event) => !event.repeat);
        if (fresh.length || (typeof again.available === 'number' && again.available < 7)) {
          failTrace(context, `OrderCreated ${o3.orderId} came a second time (the same event, same id), and inventory handled it as a new order: it reserved the units again and sent a StockReserved with a new id. Brokers deliver at least once, so duplicates are normal.`, {
            mistake: mistakes.duplicateCreateAsNew,
            next: 'look the order up first: when inventory has replied to it before, publish that stored reply again, unchanged (same envelope id), and reserve nothing',
          });
        }
        failTrace(context, `A duplicate OrderCreated must get the first reply again, with the same envelope id: the Order service may have sent it again because it never saw the first reply.`, {
          next: 'store the reply event for each order, and publish it again unchanged when OrderCreated comes again',
        });
      },
    },
    {
      id: 'race',
      title: 'two orders race for the last unit: exactly one is reserved',
      timeoutMs: STEP_MS,
      async run(context) {
        beginStep(context);
        const o4 = order(4, 'sku-b', 1);
        const o5 = order(5, 'sku-b', 1);
        const result = await play(
          context,
          [send.created(o4), send.created(o5)],
          'sku-b',
          0,
          (emitted) => {
            // Either order may win; the expected trace follows the one inventory reserved.
            const winner = emittedFor(emitted, 'StockReserved', o5).length && !emittedFor(emitted, 'StockReserved', o4).length ? o5 : o4;
            const loser = winner === o4 ? o5 : o4;
            return [reply('StockReserved', winner), reply('StockRejected', loser, { reason: 'out-of-stock' })];
          },
          { sortReplies: true },
        );
        const bothReserved = emittedFor(result.emitted, 'StockReserved', o4).length > 0 && emittedFor(result.emitted, 'StockReserved', o5).length > 0;
        if (!result.matches && bothReserved) {
          failTrace(context, `Both orders reserved the last unit of sku-b, so one of them holds stock that does not exist.`, {
            next: 'check and take the units in one step, with no await in between, and handle one message at a time (prefetch 1)',
          });
        }
        expectRound(context, result, 'With one unit of sku-b left, exactly one of two orders must be reserved and the other rejected with reason "out-of-stock".', 'emit StockRejected with data.reason "out-of-stock" when fewer than qty units are available');
      },
    },
    {
      id: 'compensation-twice',
      title: 'a compensation delivered twice restores the stock once',
      timeoutMs: STEP_MS,
      async run(context) {
        beginStep(context);
        const o6 = order(6, 'sku-c', 2);
        expectRound(context, await play(context, [send.created(o6)], 'sku-c', 3, () => [reply('StockReserved', o6)]), `inventory's reply to OrderCreated ${o6.orderId} differs from the expected trace.`, 'reserve the units and emit StockReserved');
        const failed = send.paymentFailed(o6);
        expectRound(context, await play(context, [failed], 'sku-c', 5, () => [reply('StockReleased', o6)]), `After PaymentFailed ${o6.orderId}, inventory's reply or stock differs from the expected trace.`, 'give the reserved units back and emit StockReleased');

        // The same PaymentFailed again, then a cancel of the same order: both must change nothing.
        for (const compensation of [send.paymentFailed(o6, failed), send.cancelled(o6)]) {
          const result = await play(context, [compensation], 'sku-c', 5, () => [], { repeatsAllowed: true });
          if (result.matches) continue;
          if (typeof result.available === 'number' && result.available > 5) {
            failTrace(context, `inventory released the units of ${o6.orderId} a second time, without checking that they were still reserved: sku-c now has ${result.available} available, but only ${INITIAL_STOCK['sku-c']} exist.`, {
              mistake: mistakes.releaseWithoutState,
              next: 'release only a reservation whose state is still "reserved", and set it to "released" in the same step; a compensation for anything else changes nothing',
            });
          }
          failTrace(context, `A compensation for an order that is already released must change nothing and emit no new event (sending the earlier StockReleased again, same id, is fine).`, {
            next: 'when the reservation is not in the "reserved" state, only acknowledge the message',
          });
        }
      },
    },
    {
      id: 'early-cancel',
      title: 'a cancel that arrives before the create leaves a marker; the late create is rejected',
      timeoutMs: STEP_MS,
      async run(context) {
        beginStep(context);
        const o7 = order(7, 'sku-c', 1);
        expectRound(context, await play(context, [send.cancelled(o7)], 'sku-c', 5, () => [], { repeatsAllowed: true }), `OrderCancelled for an order inventory has not seen must change no stock and emit nothing.`, 'when a compensation finds no reservation, only record the order as cancelled');

        const late = await play(context, [send.created(o7)], 'sku-c', 5, () => [reply('StockRejected', o7, { reason: 'cancelled' })]);
        if (late.matches) return;
        if (emittedFor(late.emitted, 'StockReserved', o7).length || (typeof late.available === 'number' && late.available < 5)) {
          failTrace(context, `OrderCancelled ${o7.orderId} overtook its OrderCreated, and inventory forgot it: the late OrderCreated reserved stock for an order that is already cancelled, and no compensation will ever come to release it.`, {
            mistake: mistakes.earlyCancelIgnored,
            next: 'when a compensation finds no reservation, record the order as cancelled (a marker); when OrderCreated finds that marker, emit StockRejected with reason "cancelled" and reserve nothing',
          });
        }
        failTrace(context, `The late OrderCreated ${o7.orderId} must be rejected with reason "cancelled".`, { next: 'emit StockRejected with data.reason "cancelled" when OrderCreated finds the cancel marker' });
      },
    },
  ],
});
