// The saga-participant check's messages and its trace: what the checker (playing the Order and
// Payment services) sends to inventory, how each reply is written as a trace line, and how a
// round's expected and actual lines are compared.
import { fail } from '../../src/checking/failure.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import { sagaEnvelope, firstDifference, type ChoreographyDriver, type Delivery, type EmittedEvent } from '../../src/checking/saga/choreography-driver.js';
import type { CheckContext } from '../../src/checking/types.js';

export const mistakes = {
  releaseWithoutState: 'release-without-checking-state',
  earlyCancelIgnored: 'early-cancel-ignored',
  duplicateCreateAsNew: 'duplicate-create-treated-as-new',
} as const;

export const INITIAL_STOCK: Record<string, number> = { 'sku-a': 10, 'sku-b': 1, 'sku-c': 5 };

/** The routing key of each event inventory emits. */
export const EMITTED_KEYS: Record<string, string> = {
  StockReserved: 'inventory.reserved',
  StockRejected: 'inventory.rejected',
  StockReleased: 'inventory.released',
  StockCommitted: 'inventory.committed',
  StockLevel: 'inventory.stock',
};

export interface State {
  exchange: string;
  queue: string;
  inventory?: LearnerProcess;
  driver?: ChoreographyDriver;
  /** The current step's expected and actual traces; a failure shows both side by side. */
  expected: string[];
  actual: string[];
}

export type Context = CheckContext<State>;

export interface Order {
  sagaId: string;
  orderId: string;
  sku: string;
  qty: number;
}

export function order(n: number, sku: string, qty: number): Order {
  return { sagaId: `saga-${n}`, orderId: `o-${n}`, sku, qty };
}

const TO = '→ inventory ';
const FROM = '← inventory ';

/** Builds a delivery, or with `again` (an earlier delivery) re-sends that very event, id and all. */
function delivery(routingKey: string, type: string, source: string, order: Order, data: Record<string, unknown>, detail: string, again?: Delivery): Delivery {
  if (again) return { ...again, line: `${again.line} again` };
  return { routingKey, event: sagaEnvelope(type, source, order.orderId, { sagaId: order.sagaId, orderId: order.orderId, ...data }), line: `${TO} ${type} ${order.orderId}${detail}` };
}

export const send = {
  created: (order: Order, again?: Delivery) => delivery('order.created', 'OrderCreated', 'order-service', order, { sku: order.sku, qty: order.qty }, ` (qty ${order.qty})`, again),
  cancelled: (order: Order, again?: Delivery) => delivery('order.cancelled', 'OrderCancelled', 'order-service', order, {}, '', again),
  approved: (order: Order, again?: Delivery) => delivery('payment.approved', 'PaymentApproved', 'payment-service', order, {}, '', again),
  paymentFailed: (order: Order, again?: Delivery) => delivery('payment.failed', 'PaymentFailed', 'payment-service', order, { reason: 'card declined' }, '', again),
};

function stockQuery(sku: string): Delivery {
  return { routingKey: 'stock.query', event: sagaEnvelope('StockQuery', 'checker', sku, { sku }), line: `${TO} StockQuery ${sku}` };
}

/** Returns the expected trace line of a reply, e.g. `← inventory  StockRejected o-5 (out-of-stock)`. */
export function reply(type: string, order: Order, options: { reason?: string; repeat?: boolean } = {}): string {
  return `${FROM} ${type} ${order.orderId}${options.reason ? ` (${options.reason})` : ''}${options.repeat ? ' again (same id)' : ''}`;
}

export function stockLine(sku: string, available: unknown): string {
  return `   stock ${sku}: ${typeof available === 'number' ? available : JSON.stringify(available)} available`;
}

/** Writes an emitted event as a trace line; anything that breaks the contract shows up in the line. */
export function describeEmitted({ message, envelope, repeat }: EmittedEvent): string {
  const type = typeof envelope.type === 'string' ? envelope.type : '(no type)';
  const data = envelope.data ?? {};
  const orderId = String(data.orderId ?? '(no orderId)');
  const notes: string[] = [];
  if (type === 'StockRejected') notes.push(String(data.reason ?? 'no reason'));
  if (typeof envelope.id !== 'string') notes.push('no envelope id');
  const sagaId = orderId.replace(/^o-/, 'saga-');
  if (data.sagaId !== sagaId) notes.push(`sagaId ${JSON.stringify(data.sagaId)}`);
  if (EMITTED_KEYS[type] && message.routingKey !== EMITTED_KEYS[type]) notes.push(`routing key ${message.routingKey}`);
  return `${FROM} ${type} ${orderId}${notes.length ? ` (${notes.join(', ')})` : ''}${repeat ? ' again (same id)' : ''}`;
}

export interface PlayResult {
  emitted: EmittedEvent[];
  available: unknown;
  /** Whether this round's actual lines equal the expected ones. */
  matches: boolean;
}

/**
 * Plays one round: the deliveries, then a stock query for `sku` as the fence. Adds the round's
 * expected lines (`expect(emitted)`, then the stock line) and actual lines to the step's traces.
 * With `repeatsAllowed`, a re-sent earlier event (same id) counts as no reply at all.
 */
export async function play(context: Context, deliveries: Delivery[], sku: string, expectedStock: number, expect: (emitted: EmittedEvent[]) => string[], options: { repeatsAllowed?: boolean; sortReplies?: boolean } = {}): Promise<PlayResult> {
  const { state } = context;
  const fence = stockQuery(sku);
  const round = await state.driver!.round(deliveries, fence, (envelope) => envelope.type === 'StockLevel' && envelope.data?.queryId === fence.event.id);
  const emitted = round.emitted.filter((event) => !(options.repeatsAllowed && event.repeat));
  const available = round.fence.envelope.data?.available;

  const expected = [...expect(emitted)];
  const actual = emitted.map(describeEmitted);
  if (options.sortReplies) {
    expected.sort(byOrderId);
    actual.sort(byOrderId);
  }
  const lines = deliveries.map((item) => item.line);
  state.expected.push(...lines, ...expected, stockLine(sku, expectedStock));
  state.actual.push(...lines, ...actual, stockLine(sku, available));
  return { emitted, available, matches: firstDifference(state.expected, state.actual) === -1 };
}

/** Starts the traces of a new step, so a failure shows only the rounds of the step that failed. */
export function beginStep(context: Context): void {
  context.state.expected = [];
  context.state.actual = [];
}

/** Orders trace lines by the order id they name (o-4 before o-5), whatever the event type. */
function byOrderId(a: string, b: string): number {
  const id = (line: string) => Number(/ o-(\d+)/.exec(line)?.[1] ?? 0);
  return id(a) - id(b) || a.localeCompare(b);
}

/** Fails the step with its expected and actual traces side by side. */
export function failTrace(context: Context, message: string, details: { mistake?: string; next: string }): never {
  const { expected, actual } = context.state;
  fail(message, { ...details, comparison: { expected: [...expected], actual: [...actual] } });
}
