// Plays the other services of a choreographed saga against one learner participant over a
// RabbitMQ topic exchange: publishes their events, waits until the participant reports each one
// handled, and collects the events the participant emitted in reply, round by round.
import { randomUUID } from 'node:crypto';
import { fail } from '../failure.js';
import type { LearnerProcess } from '../learner.js';
import type { Collector, ReceivedMessage } from '../rabbit.js';
import type { CheckContext } from '../types.js';

/** The course's event envelope; a re-sent event keeps its id. */
export interface SagaEnvelope {
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  data: Record<string, unknown>;
}

export function sagaEnvelope(type: string, source: string, subject: string, data: Record<string, unknown>, id: string = randomUUID()): SagaEnvelope {
  return { id, type, source, time: new Date().toISOString(), subject, data };
}

/** One event the checker sends, with the trace line that stands for it (e.g. `→ inventory  OrderCreated o-1 (qty 2)`). */
export interface Delivery {
  routingKey: string;
  event: SagaEnvelope;
  line: string;
}

/** An event the participant emitted. `repeat` is set when its envelope id was seen before: a re-sent event. */
export interface EmittedEvent {
  message: ReceivedMessage;
  envelope: Partial<SagaEnvelope>;
  repeat: boolean;
}

export interface Round {
  /** What the participant emitted after this round's deliveries, in arrival order, without the reply to the fence. */
  emitted: EmittedEvent[];
  /** The participant's reply to the fence. */
  fence: EmittedEvent;
}

// The participant handles one message in milliseconds; 5 s leaves room for a busy 2-core machine.
const HANDLED_MS = 5000;

export class ChoreographyDriver {
  private readonly seenIds = new Set<string>();
  private readonly sentCount = new Map<string, number>();

  constructor(
    private readonly context: CheckContext<any>,
    private readonly exchange: string,
    private readonly participant: LearnerProcess,
    /** Consumes everything the participant emits on the exchange. */
    private readonly collector: Collector,
  ) {}

  /** Publishes one event to the exchange and waits for the broker's confirm. */
  async deliver(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    await this.context.rabbit.publishJson(this.exchange, delivery.routingKey, event, { messageId: event.id, type: event.type });
    this.sentCount.set(event.id, (this.sentCount.get(event.id) ?? 0) + 1);
    this.context.trace(`${delivery.line}  [${this.exchange} / ${delivery.routingKey}, id ${event.id.slice(0, 8)}]`);
  }

  /** Waits until the participant has reported {"event":"handled","id":...} once for every delivery of this event. */
  async handled(delivery: Delivery): Promise<void> {
    const { id } = delivery.event;
    const times = this.sentCount.get(id) ?? 1;
    const count = () => this.participant.events.filter((event) => event.event === 'handled' && event.id === id).length;
    await this.participant.waitFor(
      () => count() >= times,
      HANDLED_MS,
      () =>
        fail(`${this.participant.name} did not report {"event":"handled","id":"${id}"} for ${delivery.line.replace(/^\S+\s+\S+\s+/, '')} within ${HANDLED_MS / 1000} s (handled it ${count()} of ${times} times).`, {
          next: `keep the report('handled', ...) line after the ack, and consume every routing key the README lists`,
        }),
    );
  }

  /**
   * Delivers `deliveries` (all published first, then awaited), then the `fence`: a query the
   * participant replies to after everything before it. Everything emitted between the first
   * delivery and the reply to the fence belongs to this round.
   */
  async round(deliveries: Delivery[], fence: Delivery, isFenceReply: (envelope: Partial<SagaEnvelope>) => boolean): Promise<Round> {
    const mark = this.collector.messages.length;
    for (const delivery of deliveries) await this.deliver(delivery);
    for (const delivery of deliveries) await this.handled(delivery);
    await this.deliver(fence);

    let replyIndex = -1;
    await this.collector.waitUntil(
      (messages) => (replyIndex = messages.findIndex((message, index) => index >= mark && isFenceReply(envelopeOf(message)))) >= 0,
      HANDLED_MS,
      () => fail(`${this.participant.name} did not reply to ${fence.line.replace(/^\S+\s+\S+\s+/, '')} within ${HANDLED_MS / 1000} s.`, { next: 'keep the handler for the query that the starter contains' }),
    );
    const emitted = this.collector.messages.slice(mark, replyIndex).map((message) => this.toEmitted(message));
    return { emitted, fence: this.toEmitted(this.collector.messages[replyIndex]) };
  }

  private toEmitted(message: ReceivedMessage): EmittedEvent {
    const envelope = envelopeOf(message);
    const id = typeof envelope.id === 'string' ? envelope.id : undefined;
    const repeat = id !== undefined && this.seenIds.has(id);
    if (id) this.seenIds.add(id);
    const what = envelope.type ? `${String(envelope.type)} ${String(envelope.subject ?? '')}` : message.raw.slice(0, 60);
    this.context.trace(`← ${this.participant.name}  ${what}  [${message.routingKey}, id ${id?.slice(0, 8) ?? 'none'}${repeat ? ', repeated' : ''}]`);
    return { message, envelope, repeat };
  }
}

export function envelopeOf(message: ReceivedMessage): Partial<SagaEnvelope> {
  return typeof message.body === 'object' && message.body !== null ? (message.body as Partial<SagaEnvelope>) : {};
}

/** Returns the index of the first line where two traces differ, or -1 when they are equal. */
export function firstDifference(expected: string[], actual: string[]): number {
  for (let index = 0; index < Math.max(expected.length, actual.length); index++) if (expected[index] !== actual[index]) return index;
  return -1;
}
