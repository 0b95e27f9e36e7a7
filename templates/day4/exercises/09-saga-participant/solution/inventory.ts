// Inventory, a participant in the order saga (choreography): it reserves stock when an order is
// created, releases it when the payment fails or the order is cancelled, and commits it when the
// payment is approved. It replies with events on the saga exchange.
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
  const known = orders.get(orderId);
  if (known?.reply) {
    // A duplicate: send the first reply again, unchanged, and reserve nothing more.
    publish(known.reply);
    return;
  }
  if (known?.state === 'cancelled') {
    // The cancel overtook this create: the order is gone, so nothing is reserved for it.
    known.reply = emit('StockRejected', { sagaId, orderId, sku, qty, reason: 'cancelled' });
    return;
  }
  const left = available.get(sku) ?? 0;
  if (left < qty) {
    orders.set(orderId, { state: 'rejected', sku, qty, reply: emit('StockRejected', { sagaId, orderId, sku, qty, reason: 'out-of-stock' }) });
    return;
  }
  // The reservation counts against availability at once, so a second order cannot take the same units.
  available.set(sku, left - qty);
  orders.set(orderId, { state: 'reserved', sku, qty, reply: emit('StockReserved', { sagaId, orderId, sku, qty }) });
}

function onPaymentApproved({ sagaId, orderId }: OrderData): void {
  const known = orders.get(orderId);
  if (known?.committed) {
    publish(known.committed);
    return;
  }
  if (known?.state !== 'reserved') return;
  known.state = 'committed';
  known.committed = emit('StockCommitted', { sagaId, orderId, sku: known.sku, qty: known.qty });
}

/** PaymentFailed or OrderCancelled: give the reserved units back, once. */
function onCompensation({ sagaId, orderId }: OrderData): void {
  const known = orders.get(orderId);
  if (!known) {
    // The cancel came first: leave a marker so the late OrderCreated is rejected.
    orders.set(orderId, { state: 'cancelled' });
    return;
  }
  // Only a live reservation is released. Released, rejected or committed: nothing to give back.
  if (known.state !== 'reserved') return;
  available.set(known.sku!, (available.get(known.sku!) ?? 0) + known.qty!);
  known.state = 'released';
  emit('StockReleased', { sagaId, orderId, sku: known.sku, qty: known.qty });
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

process.on('SIGTERM', async () => {
  await channel.close().catch(() => {});
  await connection.close().catch(() => {});
  process.exit(0);
});
