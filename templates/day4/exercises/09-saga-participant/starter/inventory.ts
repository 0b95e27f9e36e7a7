// Inventory, a participant in the order saga (choreography): it reserves stock when an order is
// created, releases it when the payment fails or the order is cancelled, and commits it when the
// payment is approved. It replies with events on the saga exchange.
// Read README.md in this folder first. Check your work with: mq-course check day4 09
import amqp, { type ConsumeMessage } from 'amqplib';
import { env, envelope, report, type Envelope } from '../../lib/course.js';

const AMQP_URL = env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672');
const RUN_ID = env('RUN_ID', 'local');
const SAGA_EXCHANGE = env('SAGA_EXCHANGE', `${RUN_ID}.saga`);
const INVENTORY_QUEUE = env('INVENTORY_QUEUE', `${RUN_ID}.inventory`);
const INITIAL_STOCK = JSON.parse(env('INITIAL_STOCK', '{"sku-a": 10, "sku-b": 1, "sku-c": 5}')) as Record<string, number>;

// Routing keys of the events inventory consumes.
const LISTENS_TO = ['order.created', 'order.cancelled', 'payment.approved', 'payment.failed', 'stock.query'];

// Routing key of each event type inventory emits.
const ROUTING_KEYS: Record<string, string> = {
  StockReserved: 'inventory.reserved',
  StockRejected: 'inventory.rejected',
  StockReleased: 'inventory.released',
  StockCommitted: 'inventory.committed',
  StockLevel: 'inventory.stock',
};

interface OrderData {
  sagaId: string;
  orderId: string;
  sku?: string;
  qty?: number;
}

/**
 * Inventory's record of one order. A `cancelled` record without a reply is the marker a cancel
 * leaves when it arrives before the order's OrderCreated.
 */
interface OrderState {
  state: 'reserved' | 'rejected' | 'committed' | 'released' | 'cancelled';
  sku?: string;
  qty?: number;
  /** The reply to OrderCreated, re-sent unchanged (same id) when OrderCreated comes again. */
  reply?: Envelope;
  committed?: Envelope;
}

// In memory: the checks never restart inventory. A real service keeps this in its database.
const available = new Map(Object.entries(INITIAL_STOCK));
const orders = new Map<string, OrderState>();

const connection = await amqp.connect(AMQP_URL);
const channel = await connection.createConfirmChannel();
await channel.assertExchange(SAGA_EXCHANGE, 'topic', { durable: true });
await channel.assertQueue(INVENTORY_QUEUE, { durable: true });
for (const key of LISTENS_TO) await channel.bindQueue(INVENTORY_QUEUE, SAGA_EXCHANGE, key);
// One message at a time, so each handler works on the state that every earlier message left.
await channel.prefetch(1);

/** Publishes an event (a new one, or a stored one again with its id) on the saga exchange. */
function publish(event: Envelope): Envelope {
  channel.publish(SAGA_EXCHANGE, ROUTING_KEYS[event.type], Buffer.from(JSON.stringify(event)), {
    persistent: true,
    contentType: 'application/json',
    messageId: event.id,
    type: event.type,
  });
  return event;
}

function emit(type: string, data: Record<string, unknown>): Envelope {
  return publish(envelope(type, 'inventory', String(data.orderId ?? data.sku), data));
}

function onOrderCreated({ sagaId, orderId, sku = '', qty = 0 }: OrderData): void {
  // TODO 1: reserve the stock for a new order. When at least qty units of sku are available, take
  //   them off `available` and emit('StockReserved', { sagaId, orderId, sku, qty }); otherwise
  //   emit('StockRejected', { sagaId, orderId, sku, qty, reason: 'out-of-stock' }). Remember the
  //   order in `orders`, with its state and the reply event that emit() returns.
  // TODO 2: a duplicate (an order you have replied to already) gets its stored reply again, with
  //   publish(reply), and reserves nothing.
  // TODO 3: an order with a cancel marker (see TODO 5) gets
  //   emit('StockRejected', { sagaId, orderId, sku, qty, reason: 'cancelled' }) and reserves nothing.
  void [sagaId, orderId, sku, qty];
}

function onPaymentApproved({ sagaId, orderId }: OrderData): void {
  // TODO 4: a reserved order becomes committed (its units stay taken):
  //   emit('StockCommitted', { sagaId, orderId, sku, qty }).
  void [sagaId, orderId];
}

/** PaymentFailed or OrderCancelled: give the reserved units back, once. */
function onCompensation({ sagaId, orderId }: OrderData): void {
  // TODO 5: only a reservation that is still reserved goes back: add its qty to `available`, set it
  //   to released, and emit('StockReleased', { sagaId, orderId, sku, qty }). A compensation for an
  //   order you have never seen leaves a marker (state 'cancelled'); for any other state, do nothing.
  void [sagaId, orderId];
}

function onStockQuery(query: Envelope<{ sku: string }>): void {
  emit('StockLevel', { sku: query.data.sku, available: available.get(query.data.sku) ?? 0, queryId: query.id });
}

async function handle(message: ConsumeMessage): Promise<void> {
  let event: Envelope<OrderData>;
  try {
    event = JSON.parse(message.content.toString()) as Envelope<OrderData>;
  } catch {
    // Not JSON: no redelivery will fix it, so drop it (or dead-letter it, where a DLX is set).
    report('invalid-message', { body: message.content.toString().slice(0, 200) });
    channel.nack(message, false, false);
    return;
  }
  switch (event.type) {
    case 'OrderCreated':
      onOrderCreated(event.data);
      break;
    case 'PaymentApproved':
      onPaymentApproved(event.data);
      break;
    case 'PaymentFailed':
    case 'OrderCancelled':
      onCompensation(event.data);
      break;
    case 'StockQuery':
      onStockQuery(event as unknown as Envelope<{ sku: string }>);
      break;
  }
  // The replies are on the broker before the message is acknowledged: a crash in between
  // redelivers the message, and the handlers above reply to a duplicate without changing anything.
  await channel.waitForConfirms();
  channel.ack(message);
  report('handled', { id: event.id, type: event.type, orderId: event.data.orderId });
}

await channel.consume(
  INVENTORY_QUEUE,
  (message) => {
    if (message) void handle(message);
  },
  { noAck: false },
);
report('ready', { queue: INVENTORY_QUEUE, stock: INITIAL_STOCK });
console.error('inventory.ts: TODO 1 to 5 are not done yet, so inventory replies to stock queries only.');

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
