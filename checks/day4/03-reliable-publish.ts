import { isDeepStrictEqual } from 'node:util';
import { fail } from '../../src/checking/failure.js';
import { AmqpProxy, type ProxiedConnection, type ProxyBehaviour } from '../../src/checking/faults/amqp-proxy.js';
import { RabbitRunUser } from '../../src/checking/faults/rabbit-run-user.js';
import type { Collector, ReceivedMessage } from '../../src/checking/rabbit.js';
import { defineCheck, type CheckContext } from '../../src/checking/types.js';
import { describeWire, expectReportedFailures, failIfNewIds, failIfNotWaitingForConfirms, idsOf, MAX_ATTEMPTS, mistakes, short, type BatchRun, type Envelope } from './03-reliable-publish.wire.js';

export { mistakes } from './03-reliable-publish.wire.js';

interface State {
  exchange: string;
  /** The checker's queue behind the routing key `orders`; it collects everything that arrives. */
  inbox: string;
  inboxCollector?: Collector;
  proxy?: AmqpProxy;
  user?: RabbitRunUser;
  /** The reason the run has no user of its own, when it has none. */
  userError?: string;
  /** The AMQP_URL the program gets: through the proxy, as the run's own user when there is one. */
  programUrl: string;
}

type Context = CheckContext<State>;

/** Confirms of the slow-confirms step arrive this late; a program must still wait for them. */
const CONFIRM_DELAY_MS = 1500;
/** tsx start-up, a few rounds of publishes and RETRY_DELAY_MS pauses; generous for a busy machine. */
const EXIT_WINDOW_MS = 15_000;

function makeEvents(prefix: string, count: number): Envelope[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}-${index + 1}`,
    type: 'order.placed',
    source: 'mq-course checker',
    time: new Date(Date.UTC(2025, 0, 1, 12, 0, index)).toISOString(),
    subject: `o-${prefix}-${index + 1}`,
    data: { amountCents: 1000 + index },
  }));
}

async function runBatch(context: Context, name: string, routingKey: string, events: Envelope[], behaviour: ProxyBehaviour = {}): Promise<BatchRun> {
  const proxy = context.state.proxy!;
  const first = proxy.connections.length;
  proxy.setBehaviour(behaviour);
  const program = context.spawn({
    name,
    program: 'publish-batch.ts',
    env: { AMQP_URL: context.state.programUrl, EXCHANGE: context.state.exchange, ROUTING_KEY: routingKey, MAX_ATTEMPTS: String(MAX_ATTEMPTS), RETRY_DELAY_MS: '100' },
    input: events.map((event) => JSON.stringify(event)).join('\n') + '\n',
    exits: true,
  });
  context.trace(`${name}: ${events.length} events on stdin (${events[0].id}..${events[events.length - 1].id}), ROUTING_KEY=${routingKey}`);
  const exit = await program.waitFor(
    () => program.exit,
    EXIT_WINDOW_MS,
    () =>
      fail(`${name} was still running ${EXIT_WINDOW_MS / 1000} s after its input ended.`, {
        next: `exit once every event is confirmed (0), or once an event has failed ${MAX_ATTEMPTS} attempts (MAX_ATTEMPTS) and nothing else is pending (2)`,
      }),
  );
  const connections = proxy.connections.slice(first);
  const publishes = connections.flatMap((connection) => connection.publishes);
  context.trace(`${name} exited with ${exit.code ?? exit.signal}; on the wire: ${describeWire(connections)}`);
  if (connections.length === 0) {
    fail(`${name} never connected to the broker at AMQP_URL.`, { next: 'connect with amqp.connect(process.env.AMQP_URL): the checker gives each run its own URL' });
  }
  return { program, exit, events, connections, publishes };
}

async function arrivedIn(collector: Collector, ids: string[], windowMs: number): Promise<ReceivedMessage[]> {
  const matches = (messages: ReceivedMessage[]) => messages.filter((message) => ids.includes((message.body as { id?: string })?.id ?? ''));
  await collector
    .waitUntil((messages) => ids.every((id) => matches(messages).some((message) => (message.body as { id?: string }).id === id)), windowMs, () => {
      throw new Error('window passed');
    })
    .catch(() => undefined);
  return matches(collector.messages);
}

/** Sets up the exchange, the inbox, the run's user and the proxy the program connects through. */
async function prepare(context: Context): Promise<void> {
  const state = context.state;
  state.exchange = context.name('events');
  state.inbox = context.name('inbox');
  await context.rabbit.declareExchange(state.exchange, 'direct', { durable: true });
  await context.rabbit.declareQueue(state.inbox, { durable: true });
  await context.rabbit.bind(state.inbox, state.exchange, 'orders');
  state.inboxCollector = await context.rabbit.collect(state.inbox);

  const broker = new URL(context.endpoints.amqpUrl);
  if (broker.protocol !== 'amqp:') {
    fail(`This exercise's checks relay the program's AMQP traffic to read it, which needs a plain amqp:// broker URL, not ${broker.protocol}//.`, { next: 'run the checks against the course broker: mq-course up rabbitmq' });
  }
  state.proxy = await AmqpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) }, context.elapsed);
  const proxy = state.proxy;
  context.rabbit.onTeardown(() => proxy.close());
  const user = (await context.rabbit.hasManagement())
    ? await RabbitRunUser.create(context.endpoints.managementUrl, context.endpoints.amqpUrl, context.runId).catch((error: Error) => {
        state.userError = error.message;
        return undefined;
      })
    : undefined;
  if (user) {
    state.user = user;
    context.rabbit.onTeardown(() => user.remove());
    state.programUrl = user.amqpUrl('127.0.0.1', proxy.port);
  } else {
    state.userError ??= `the management API did not respond at ${new URL(context.endpoints.managementUrl).host}`;
    broker.hostname = '127.0.0.1';
    broker.port = String(proxy.port);
    state.programUrl = broker.toString();
  }
  context.trace(`publish-batch connects through the checker's proxy on 127.0.0.1:${proxy.port}${state.user ? ` as the run's user ${state.user.username}` : ''}`);
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({ exchange: '', inbox: '', programUrl: '' }),
  steps: [
    {
      id: 'batch',
      title: 'every event is confirmed, persistent, and published with its own id',
      timeoutMs: 30_000,
      async run(context) {
        await prepare(context);
        const run = await runBatch(context, 'publish-batch', 'orders', makeEvents('e', 20));
        if (run.exit.code !== 0) {
          fail(`publish-batch exited with ${run.exit.code ?? run.exit.signal}, but every event could be delivered.`, { expected: 'exit code 0', next: 'read its output below' });
        }
        if (run.publishes.length === 0) {
          fail('publish-batch exited with 0 but published nothing.', {
            expected: `20 publishes to exchange ${context.state.exchange} with routing key orders`,
            next: 'for each event read from stdin, call channel.publish(EXCHANGE, ROUTING_KEY, body, { persistent: true, mandatory: true, messageId: event.id }, callback) on a confirm channel',
          });
        }
        const ids = run.events.map((event) => event.id);
        const arrived = await arrivedIn(context.state.inboxCollector!, ids, 3000);
        failIfNewIds(run, arrived);
        const missing = ids.filter((id) => !arrived.some((message) => (message.body as Envelope).id === id));
        if (missing.length) failIfNotWaitingForConfirms(run, missing);
        if (missing.length) {
          fail(`publish-batch exited with 0, but ${short(missing)} never reached the queue.`, { expected: 'all 20 events in the queue', next: 'publish every line of stdin, and exit only when each one is confirmed' });
        }
        const transient = arrived.filter((message) => message.properties.deliveryMode !== 2);
        if (transient.length) {
          fail(`Events arrived as transient messages (delivery mode ${transient[0].properties.deliveryMode ?? 'not set'}): a broker restart loses them even from a durable queue.`, {
            mistake: mistakes.transientMessage,
            expected: 'delivery mode 2 (persistent) on every message',
            actual: `${transient.length} of ${arrived.length} transient`,
            next: 'publish with { persistent: true }',
          });
        }
        const wrongId = arrived.find((message) => message.properties.messageId !== (message.body as Envelope).id);
        if (wrongId) {
          fail(`The message carrying event ${(wrongId.body as Envelope).id} has the message id ${JSON.stringify(wrongId.properties.messageId)}: the message id must be the event's id, so that consumers can drop duplicates.`, {
            expected: `messageId "${(wrongId.body as Envelope).id}"`,
            next: 'publish with { messageId: event.id }',
          });
        }
        const changed = arrived.find((message) => !isDeepStrictEqual(message.body, run.events.find((event) => event.id === (message.body as Envelope).id)));
        if (changed) {
          fail(`An event arrived changed: ${changed.raw.slice(0, 200)}.`, { expected: 'each line of stdin published unchanged, as JSON', next: 'publish Buffer.from(JSON.stringify(event)) of the event as it was read' });
        }
        failIfNotWaitingForConfirms(run);
      },
    },
    {
      id: 'slow-confirms',
      title: 'with confirms arriving 1.5 s late, the program waits for them before exit 0',
      timeoutMs: 30_000,
      async run(context) {
        const run = await runBatch(context, 'publish-batch (slow confirms)', 'orders', makeEvents('slow', 10), { confirmDelayMs: CONFIRM_DELAY_MS });
        failIfNotWaitingForConfirms(run);
        if (run.exit.code !== 0) {
          fail(`publish-batch exited with ${run.exit.code ?? run.exit.signal} when confirms took ${CONFIRM_DELAY_MS / 1000} s: a slow broker is not a failed publish.`, {
            expected: 'exit code 0 once every ack has arrived',
            next: 'wait for the confirms themselves; do not give up after a fixed time',
          });
        }
      },
    },
    {
      id: 'rejected',
      title: 'events rejected by a full queue (nack) are retried, then reported with exit 2',
      timeoutMs: 30_000,
      async run(context) {
        // The exchange routes `capped` to the inbox and to a queue that holds 3 messages and rejects
        // more (x-overflow reject-publish). A message that one queue rejects is nacked, although the
        // inbox stored it. RabbitMQ 3.10 and 4.x behave the same here.
        const capped = context.name('capped');
        await context.rabbit.declareQueue(capped, { durable: true, arguments: { 'x-max-length': 3, 'x-overflow': 'reject-publish' } });
        await context.rabbit.bind(capped, context.state.exchange, 'capped');
        await context.rabbit.bind(context.state.inbox, context.state.exchange, 'capped');
        const events = makeEvents('r', 6);
        const run = await runBatch(context, 'publish-batch (full queue)', 'capped', events);
        const expectedFailed = events.slice(3).map((event) => event.id);

        const arrived = await arrivedIn(context.state.inboxCollector!, events.map((event) => event.id), 2000);
        failIfNewIds(run, arrived);
        if (run.exit.code === 0) {
          failIfNotWaitingForConfirms(run);
          const nacked = run.publishes.filter((record) => record.outcome === 'nack');
          fail(`The broker nacked ${short(idsOf(nacked))} (queue ${capped} is full and rejects new messages), and publish-batch still exited with 0: a nack means the broker did not take the message.`, {
            mistake: mistakes.ignoredNack,
            expected: `retries of ${expectedFailed.join(', ')}, then exit code 2 and {"event":"failed","ids":[...]}`,
            actual: `exit code 0 after ${nacked.length} nack(s)`,
            next: 'in the publish callback, an error argument is a nack: keep that event for the next attempt instead of counting it as delivered',
          });
        }
        expectReportedFailures(run, expectedFailed);
      },
    },
    {
      id: 'unroutable',
      title: 'unroutable events (returned) are retried, then reported with exit 2',
      timeoutMs: 30_000,
      async run(context) {
        const events = makeEvents('u', 3);
        const run = await runBatch(context, 'publish-batch (no route)', 'unbound', events);
        failIfNewIds(run, []);
        if (run.exit.code === 0) {
          failIfNotWaitingForConfirms(run);
          const withoutMandatory = run.publishes.filter((record) => !record.mandatory);
          if (withoutMandatory.length) {
            fail(`No queue is bound for routing key "unbound", and publish-batch published without the mandatory flag, so the broker dropped the events silently, acked them, and publish-batch exited with 0.`, {
              mistake: mistakes.ignoredReturn,
              expected: 'publishes with mandatory set, a return for each, then exit code 2',
              actual: `${withoutMandatory.length} publish(es) without mandatory`,
              next: 'publish with { mandatory: true }, and treat a returned message as not delivered',
            });
          }
          fail(`The broker returned ${short(idsOf(run.publishes))} (no queue is bound for routing key "unbound") and then acked them, and publish-batch exited with 0: after a return, the ack only means the broker is done with the message, not that a queue has it.`, {
            mistake: mistakes.ignoredReturn,
            expected: 'each returned event retried, then exit code 2',
            actual: `${run.connections.reduce((sum, connection) => sum + connection.returns.length, 0)} return(s), exit code 0`,
            next: "listen to channel.on('return', ...) and keep the returned message ids; an ack for one of them is no delivery",
          });
        }
        expectReportedFailures(run, events.map((event) => event.id));
      },
    },
    {
      id: 'connection-lost',
      title: 'a connection closed by the broker mid-batch loses no event',
      timeoutMs: 30_000,
      async run(context) {
        const user = context.state.user;
        if (!user) {
          fail(`This step closes the program's connection from the broker side, through the RabbitMQ management API, as a user made for the run; but ${context.state.userError}.`, {
            next: 'enable the rabbitmq_management plugin (the rabbitmq:4-management image has it), with an administrator user in the broker URL, then run the check again',
          });
        }
        const closes: Promise<number>[] = [];
        const reason = 'mq-course closed this connection to test recovery';
        // If the management API fails, the proxy drops the relayed sockets instead, so the program
        // does not wait forever for confirms. The step then fails on the API error, not on the program.
        const onCut = (connection: ProxiedConnection) =>
          void closes.push(
            user.closeConnections(reason).catch((error: Error) => {
              connection.destroy();
              throw new Error(`the management API could not close the connection: ${error.message}`);
            }),
          );
        const events = makeEvents('c', 40);
        const run = await runBatch(context, 'publish-batch (connection closed)', 'orders', events, { cutAfterPublishes: 10, onCut });
        const closed = await Promise.all(closes);
        if (closed.length === 0 || run.connections[0].brokerCloseText === undefined) {
          fail(`The checker could not close publish-batch's connection (${closed.length ? `${closed[0]} connection(s) closed` : 'fewer than 10 publishes on one connection'}), so this step proved nothing.`, {
            next: 'publish all events on one connection; if that is so already, run the check again with --debug and report it',
          });
        }
        context.trace(`after 10 publishes the proxy stopped relaying and the broker closed the connection: "${run.connections[0].brokerCloseText}"`);

        const ids = events.map((event) => event.id);
        const arrived = await arrivedIn(context.state.inboxCollector!, ids, 3000);
        failIfNewIds(run, arrived);
        if (run.exit.code !== 0) {
          fail(`publish-batch exited with ${run.exit.code ?? run.exit.signal} after the broker closed its connection once, but the broker was back at once.`, {
            expected: 'reconnect, republish every unconfirmed event (same ids), exit code 0',
            next: "handle the connection's 'error' and 'close' events (an unhandled 'error' crashes the program), open a new connection and channel, and publish again whatever has no ack",
          });
        }
        const missing = ids.filter((id) => !arrived.some((message) => (message.body as Envelope).id === id));
        if (missing.length) {
          fail(`publish-batch exited with 0, but ${short(missing)} never reached the queue: they had no confirm when the connection closed, and nobody published them again.`, {
            expected: 'all 40 events in the queue (duplicates with the same id are fine)',
            next: 'an error in the publish callback after a connection loss means "not confirmed": republish those events on a new connection',
          });
        }
        const duplicates = arrived.length - ids.length;
        context.trace(`${ids.length} events arrived, ${duplicates} of them twice with the same id (expected after a lost connection)`);
      },
    },
  ],
});
