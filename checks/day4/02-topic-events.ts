import { isDeepStrictEqual } from 'node:util';
import { CheckFailure, fail, isCheckFailure } from '../../src/checking/failure.js';
import { describeBindings, failExclusive, failIfPublishedToQueue, failRouting, failWithBoundQueues, inequivalentExchange, mistakes } from './02-topic-events.mistakes.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import type { Collector, ReceivedMessage } from '../../src/checking/rabbit.js';
import { defineCheck, type CheckContext } from '../../src/checking/types.js';

export { mistakes } from './02-topic-events.mistakes.js';

interface State {
  /** The durable topic exchange every program publishes to; the checker declares it first. */
  exchange: string;
  /** The checker's own queue, bound with '#', so it receives every event published to the exchange. */
  audit: string;
  /** The notifiers' shared queue (QUEUE). */
  queue: string;
  auditCollector?: Collector;
  notifiers: LearnerProcess[];
}

export type Context = CheckContext<State>;

// The notifiers' subscription: every event of region eu, and cancelled events from any region.
const REGIONS = 'eu';
const EVENTS = 'cancelled';

interface OrderInput {
  orderId: string;
  region: string;
  event: string;
  data: Record<string, unknown>;
}

// Two events of the same order (their ids must still differ) and an event name of two words.
const PUBLISH_INPUT: OrderInput[] = [
  { orderId: 'o-1001', region: 'eu', event: 'created', data: { amountCents: 2599 } },
  { orderId: 'o-1001', region: 'eu', event: 'paid', data: { amountCents: 2599 } },
  { orderId: 'o-1002', region: 'us', event: 'payment.failed', data: { reason: 'card declined' } },
];

// Routing keys the checker publishes, and whether the subscription must receive each one.
// The last one is expected, so that once it arrives every earlier key has had its chance.
const MATRIX: Array<{ key: string; expected: boolean }> = [
  { key: 'order.eu.created', expected: true },
  { key: 'order.us.created', expected: false },
  { key: 'order.eu.payment.failed', expected: true },
  { key: 'order.us.cancelled', expected: true },
  { key: 'order.us.refund.cancelled', expected: false },
  { key: 'order.eu.cancelled', expected: true },
  { key: 'order.uk.shipped', expected: false },
  { key: 'order.eu.shipped', expected: true },
];

// One queue delivers in order, so once the last expected event has arrived, unexpected ones
// published before it have arrived too. This margin covers a notifier that reports out of order.
const SETTLE_MS = 300;

function notifierEnv(context: Context, name: string): Record<string, string> {
  return { EXCHANGE: context.state.exchange, QUEUE: context.state.queue, REGIONS, EVENTS, NOTIFIER_NAME: name };
}

/** Ids a notifier reported as notified, in report order. */
function notifiedIds(notifier: LearnerProcess): string[] {
  return notifier.events.filter((event) => event.event === 'notified').map((event) => String(event.id));
}

function envelopeFor(id: string, key: string) {
  const [, region, ...event] = key.split('.');
  return { id, type: `order.${event.join('.')}`, source: 'mq-course checker', time: new Date().toISOString(), subject: `o-${region}`, data: {} };
}

async function publishKeys(context: Context, entries: Array<{ id: string; key: string }>): Promise<void> {
  for (const { id, key } of entries) await context.rabbit.publishJson(context.state.exchange, key, envelopeFor(id, key));
  context.trace(`published ${entries.map(({ id, key }) => `${id} (${key})`).join(', ')} to exchange ${context.state.exchange}`);
}

/** Problems with one envelope, each as a short phrase. */
function envelopeProblems(body: unknown, input: OrderInput): string[] {
  if (typeof body !== 'object' || body === null) return ['the message body is not a JSON object'];
  const event = body as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof event.id !== 'string' || !event.id) problems.push('"id" is missing or empty');
  if (event.type !== `order.${input.event}`) problems.push(`"type" is ${JSON.stringify(event.type)}, expected "order.${input.event}"`);
  if (typeof event.source !== 'string' || !event.source) problems.push('"source" is missing or empty');
  if (typeof event.time !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(event.time) || Number.isNaN(Date.parse(event.time))) problems.push(`"time" is ${JSON.stringify(event.time)}, expected an ISO 8601 timestamp`);
  if (event.subject !== input.orderId) problems.push(`"subject" is ${JSON.stringify(event.subject)}, expected the order id "${input.orderId}"`);
  if (!isDeepStrictEqual(event.data, input.data)) problems.push(`"data" is ${JSON.stringify(event.data)}, expected the input's data ${JSON.stringify(input.data)}`);
  return problems;
}

/** Starts a notifier and waits until it consumes QUEUE. */
async function startNotifier(context: Context, name: string, consumers: number): Promise<LearnerProcess> {
  const notifier = context.spawn({ name, program: 'notifier.ts', env: notifierEnv(context, name) });
  context.state.notifiers.push(notifier);
  // The notifier reports ready after its consume call; tsx needs a few seconds on a busy machine.
  await notifier.waitForEvent((event) => event.event === 'ready', 15_000, '{"event":"ready"} after starting to consume');
  try {
    await context.rabbit.waitForConsumers(context.state.queue, consumers, 3000, name);
  } catch (error) {
    if (!isCheckFailure(error)) throw error;
    await failWithBoundQueues(context, notifier, new CheckFailure(`${name} reported ready, but nothing consumes the queue ${context.state.queue} (QUEUE).`, {
      expected: `${consumers} consumer(s) on ${context.state.queue}`,
      actual: error.message,
      next: 'declare QUEUE with channel.assertQueue(QUEUE, { durable: true }), bind it with each pattern, and call channel.consume(QUEUE, handler) before reporting ready',
    }));
  }
  context.trace(`${name} consumes ${context.state.queue}`);
  return notifier;
}

/** Waits until the notifiers have reported every id or `windowMs` has passed; returns the ids still missing. */
async function waitForNotified(notifiers: LearnerProcess[], ids: string[], windowMs: number): Promise<string[]> {
  const missing = () => ids.filter((id) => !notifiers.some((notifier) => notifiedIds(notifier).includes(id)));
  const deadline = Date.now() + windowMs;
  while (missing().length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return missing();
}

/** Waits until `predicate` holds for the collected messages; returns false after `windowMs`. */
function waitForMessages(collector: Collector, predicate: (messages: ReceivedMessage[]) => boolean, windowMs: number): Promise<boolean> {
  return collector
    .waitUntil(predicate, windowMs, () => {
      throw new Error('window passed');
    })
    .then(
      () => true,
      () => false,
    );
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({ exchange: '', audit: '', queue: '', notifiers: [] }),
  diagnose: (_failure, output) => inequivalentExchange(output),
  steps: [
    {
      id: 'publish',
      title: 'publish-event sends one envelope per event to the topic exchange',
      timeoutMs: 25_000,
      async run(context) {
        const state = context.state;
        state.exchange = context.name('orders');
        state.audit = context.name('audit');
        state.queue = context.name('notifications');
        await context.rabbit.declareExchange(state.exchange, 'topic', { durable: true });
        await context.rabbit.declareQueue(state.audit, { durable: true });
        await context.rabbit.bind(state.audit, state.exchange, '#');
        context.rabbit.track('queue', state.queue);
        state.auditCollector = await context.rabbit.collect(state.audit);

        const input = PUBLISH_INPUT.map((line) => JSON.stringify(line)).join('\n') + '\n';
        const publisher = context.spawn({ name: 'publish-event', program: 'publish-event.ts', env: { EXCHANGE: state.exchange }, input, exits: true });
        context.trace(`publish-event got ${PUBLISH_INPUT.length} lines on stdin: ${PUBLISH_INPUT.map((line) => `${line.orderId} ${line.region} ${line.event}`).join('; ')}`);
        // tsx start-up plus three confirmed publishes; 15 s leaves room for a busy machine.
        const exit = await publisher.waitForExit(15_000);
        if (exit.code !== 0) {
          const diagnosis = inequivalentExchange(publisher.output.map((line) => line.line));
          if (diagnosis) throw diagnosis;
          fail(`publish-event exited with code ${exit.code ?? exit.signal} instead of 0.`, { next: 'read its output below: a program that reads all of stdin, publishes and waits for the confirms exits with 0' });
        }

        const expectedKeys = PUBLISH_INPUT.map((line) => `order.${line.region}.${line.event}`);
        // Confirmed events are in the audit queue already; 3 s covers its delivery to the checker.
        await waitForMessages(state.auditCollector, (messages) => messages.length >= PUBLISH_INPUT.length, 3000);
        const messages = state.auditCollector.messages;
        if (messages.length === 0) {
          await failIfPublishedToQueue(context);
          fail(`No event reached the exchange ${state.exchange}: its '#' subscriber got nothing within 3 s after publish-event exited.`, {
            expected: `${PUBLISH_INPUT.length} events with keys ${expectedKeys.join(', ')}`,
            next: 'for each input line, publish an envelope with channel.publish(EXCHANGE, `order.${region}.${event}`, Buffer.from(JSON.stringify(envelope))), then await channel.waitForConfirms() before closing',
          });
        }
        checkPublished(context, messages, expectedKeys);
      },
    },
    {
      id: 'subscribe',
      title: 'notifier consumes a named durable queue bound to its subscription',
      timeoutMs: 25_000,
      async run(context) {
        await startNotifier(context, 'notifier-a', 1);
        const details = await context.rabbit.queueDetails(context.state.queue);
        if (!details) {
          context.trace('management API not reachable: the queue is checked by behaviour only');
          return;
        }
        context.trace(`queue ${details.name}: durable ${details.durable}, exclusive ${details.exclusive}, auto-delete ${details.autoDelete}; bindings: ${await describeBindings(context)}`);
        if (details.exclusive || details.autoDelete) {
          failExclusive(`The queue ${details.name} is ${details.exclusive ? 'exclusive' : 'auto-delete'}: the broker deletes it ${details.exclusive ? "when the notifier's connection closes" : 'when its last consumer goes away'}, so every event published while the notifier is down is lost.`, details.name);
        }
        if (!details.durable) {
          fail(`The queue ${details.name} is not durable: a broker restart deletes it, and the events waiting in it.`, {
            mistake: mistakes.transientQueue,
            next: 'declare it with channel.assertQueue(QUEUE, { durable: true })',
          });
        }
      },
    },
    {
      id: 'routing',
      title: 'the notifier receives exactly the events its subscription matches',
      timeoutMs: 20_000,
      async run(context) {
        const entries = MATRIX.map((entry, index) => ({ ...entry, id: `route-${index + 1}` }));
        await publishKeys(context, entries);
        const expected = entries.filter((entry) => entry.expected);
        const notifiers = context.state.notifiers;
        // 5 s for a handful of events on a live consumer; a missing one is named below, not timed out.
        const stillMissing = await waitForNotified(notifiers, expected.map((entry) => entry.id), 5000);
        if (stillMissing.length === 0) await context.sleep(SETTLE_MS);
        const got = new Set(notifiers.flatMap(notifiedIds));
        const missing = expected.filter((entry) => !got.has(entry.id)).map((entry) => entry.key);
        const extra = entries.filter((entry) => !entry.expected && got.has(entry.id)).map((entry) => entry.key);
        context.trace(`notifier-a received: ${entries.filter((entry) => got.has(entry.id)).map((entry) => entry.key).join(', ') || 'nothing'}`);
        if (missing.length || extra.length) failRouting(context, missing, extra, await describeBindings(context));
      },
    },
    {
      id: 'offline',
      title: 'events published while the notifier is down wait in its queue',
      timeoutMs: 30_000,
      async run(context) {
        const [first] = context.state.notifiers;
        await first.stop();
        context.trace(`stopped ${first.name} (SIGTERM)`);
        const waiting = await context.rabbit.inspectQueue(context.state.queue);
        if (!waiting) {
          failExclusive(`The queue ${context.state.queue} disappeared when ${first.name} stopped: it was exclusive or auto-delete, so events published while the notifier is down have nowhere to wait and are lost.`, context.state.queue);
        }
        const entries = ['order.eu.created', 'order.de.cancelled', 'order.eu.refund.requested'].map((key, index) => ({ key, id: `offline-${index + 1}` }));
        await publishKeys(context, entries);

        await startNotifier(context, 'notifier-a2', 1);
        // The events wait in the queue, so they arrive right after the consumer registers.
        const missing = await waitForNotified(context.state.notifiers, entries.map((entry) => entry.id), 5000);
        if (missing.length) {
          fail(`Events published while the notifier was down were lost: ${missing.join(', ')} never arrived after the restart.`, {
            expected: 'all 3 events, delivered from the queue within 5 s of the restart',
            next: 'consume the same named durable queue (QUEUE) on every start; an exclusive or server-named queue dies with the connection',
          });
        }
      },
    },
    {
      id: 'competing',
      title: 'two notifiers share the work; another subscriber still gets every event',
      timeoutMs: 30_000,
      async run(context) {
        const billing = context.name('billing');
        await context.rabbit.declareQueue(billing, { durable: true });
        await context.rabbit.bind(billing, context.state.exchange, 'order.#');
        const billingCollector = await context.rabbit.collect(billing);
        const instances = [context.state.notifiers[1], await startNotifier(context, 'notifier-b', 2)];

        const keys = ['order.eu.created', 'order.us.cancelled', 'order.eu.payment.failed', 'order.eu.paid'];
        const entries = Array.from({ length: 20 }, (_, index) => ({ key: keys[index % keys.length], id: `share-${index + 1}` }));
        await publishKeys(context, entries);
        const ids = entries.map((entry) => entry.id);

        const missing = await waitForNotified(instances, ids, 5000);
        if (missing.length) {
          fail(`Within 5 s, ${ids.length - missing.length} of ${ids.length} events were notified; missing: ${missing.join(', ')}.`, { next: 'acknowledge each message after reporting it, so the broker keeps delivering' });
        }
        // Double handling shows as a second report of the same id, which can trail the first one.
        await context.sleep(SETTLE_MS);
        const perInstance = instances.map((instance) => notifiedIds(instance).filter((id) => ids.includes(id)));
        context.trace(perInstance.map((list, index) => `${instances[index].name} notified ${list.length}: ${list.join(', ')}`).join('; '));

        const twice = ids.filter((id) => perInstance[0].includes(id) && perInstance[1].includes(id));
        if (twice.length) {
          const bindings = (await context.rabbit.bindingsOf(context.state.exchange)) ?? [];
          const queues = [...new Set(bindings.map((binding) => binding.queue))].filter((queue) => queue !== context.state.audit && queue !== billing);
          fail(`Both notifiers handled the same events (${twice.slice(0, 5).join(', ')}${twice.length > 5 ? ', ...' : ''}): each instance has a queue of its own, so each gets a copy of every event.`, {
            mistake: mistakes.queuePerInstance,
            expected: 'each event notified once, by one of the two instances',
            actual: `${twice.length} of ${ids.length} events notified twice${queues.length ? `; queues bound to the exchange: ${queues.join(', ')}` : ''}`,
            next: 'every instance must consume the same queue, QUEUE; the broker then hands each event to one of them',
          });
        }
        const idle = instances.find((_, index) => perInstance[index].length === 0);
        if (idle) fail(`${idle.name} notified none of the ${ids.length} events: the two instances did not share the work.`, { next: 'consume QUEUE without the exclusive option, and acknowledge each message after reporting it' });

        const allBilled = await waitForMessages(billingCollector, (messages) => ids.every((id) => messages.some((message) => (message.body as { id?: string })?.id === id)), 3000);
        if (!allBilled) {
          fail(`The billing subscriber (queue ${billing}, bound with order.#) did not get every event, although a subscriber with a queue of its own must receive all of them, whatever the notifiers do.`, { next: 'consume only from QUEUE, and do not publish to other queues' });
        }
      },
    },
  ],
});

/** Checks the routing keys, the envelopes and the ids that publish-event sent. */
function checkPublished(context: Context, messages: ReceivedMessage[], expectedKeys: string[]): void {
  context.trace(`the '#' subscriber got: ${messages.map((message) => `${message.routingKey} ${message.raw.slice(0, 120)}`).join(' | ')}`);
  const keys = messages.map((message) => message.routingKey);
  if (!isDeepStrictEqual([...keys].sort(), [...expectedKeys].sort())) {
    fail(`The routing keys do not follow order.<region>.<event>.`, {
      expected: expectedKeys.join(', '),
      actual: keys.join(', '),
      next: 'publish each event with the routing key `order.${region}.${event}`, taken from its input line',
    });
  }
  for (const input of PUBLISH_INPUT) {
    const message = messages.find((candidate) => candidate.routingKey === `order.${input.region}.${input.event}`)!;
    const problems = envelopeProblems(message.body, input);
    if (problems.length) {
      fail(`The event published with key ${message.routingKey} is not a valid envelope: ${problems.join('; ')}.`, {
        expected: `{ id, type: "order.${input.event}", source, time, subject: "${input.orderId}", data: ${JSON.stringify(input.data)} }`,
        actual: message.raw.slice(0, 300),
        next: 'build it with envelope(`order.${event}`, SOURCE, orderId, data) from lib/course.ts',
      });
    }
  }
  const ids = messages.map((message) => (message.body as { id: string }).id);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length) {
    fail(`Two events share the id ${repeated[0]}: an event id must identify one event, so that a consumer can tell a re-sent duplicate from a new event.`, {
      expected: `${ids.length} different ids`,
      actual: ids.join(', '),
      next: "give every event a fresh id (envelope() does, with randomUUID()); the order id belongs in subject, not in id",
    });
  }
}
