// Diagnoses of the topic-events check. Each catalogued mistake is identified by broker state
// (bindings, queue properties, stray messages) or by the broker's own error text.
import { CheckFailure, fail } from '../../src/checking/failure.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import type { Context } from './02-topic-events.js';

export const mistakes = {
  exclusiveQueue: 'exclusive-queue',
  starVersusHash: 'star-versus-hash',
  publishToQueue: 'publish-to-queue',
  queuePerInstance: 'queue-per-instance',
  inequivalentExchange: 'inequivalent-exchange',
  transientQueue: 'transient-queue',
} as const;

export const PATTERNS = 'order.eu.# and order.*.cancelled';

const words = (key: string) => key.split('.').length;

/** Turns the broker's 406 reply to an exchange declared unlike the existing one into a named mistake. */
export function inequivalentExchange(lines: string[]): CheckFailure | undefined {
  for (const line of lines) {
    const match = /inequivalent arg '([\w-]+)' for exchange '([^']+)'[^:]*: received '([^']*)' but current is '([^']*)'/.exec(line);
    if (!match) continue;
    const [, argument, exchange, received, current] = match;
    return new CheckFailure(`The broker refused to declare the exchange ${exchange} with ${argument} ${received}, because it already exists with ${argument} ${current} (406 PRECONDITION_FAILED, inequivalent arg), and it closed the channel.`, {
      mistake: mistakes.inequivalentExchange,
      expected: `assertExchange(EXCHANGE, 'topic', { durable: true }), the same type and options as the existing exchange`,
      actual: line.trim(),
      next: `declare the exchange with channel.assertExchange(EXCHANGE, 'topic', { durable: true }) in both programs`,
    });
  }
  return undefined;
}

/** Fails with publish-to-queue when a queue of the run got the events directly, after none reached the exchange. */
export async function failIfPublishedToQueue(context: Context): Promise<void> {
  const candidates = new Set([context.state.queue, ...((await context.rabbit.queueNames(context.runId)) ?? [])]);
  candidates.delete(context.state.audit);
  for (const queue of candidates) {
    const info = await context.rabbit.inspectQueue(queue);
    if (!info?.messageCount) continue;
    context.rabbit.track('queue', queue);
    fail(`publish-event sent its events straight to the queue ${queue} (through the default exchange) instead of to the exchange ${context.state.exchange}. Only that one queue gets them: no other subscriber sees them, and no binding pattern is applied.`, {
      mistake: mistakes.publishToQueue,
      expected: `3 events on exchange ${context.state.exchange} with keys order.<region>.<event>`,
      actual: `${info.messageCount} message(s) in queue ${queue}, none through the exchange`,
      next: 'publish with channel.publish(EXCHANGE, `order.${region}.${event}`, body): the publisher names the exchange and the routing key, never a queue',
    });
  }
}

/** Fails with the queue the notifier consumes instead of QUEUE, found in the exchange's bindings; rethrows `original` when there is none. */
export async function failWithBoundQueues(context: Context, notifier: LearnerProcess, original: unknown): Promise<never> {
  // A passive declare of another connection's exclusive queue fails (405 RESOURCE_LOCKED), so an
  // exclusive QUEUE looks undeclared to waitForConsumers; the management API still lists it.
  const own = await context.rabbit.queueDetails(context.state.queue);
  if (own?.exclusive) failExclusive(`${notifier.name} declared ${context.state.queue} as an exclusive queue: the broker deletes it when the notifier's connection closes, so every event published while the notifier is down is lost, and no second instance can consume it.`, context.state.queue);
  const bindings = (await context.rabbit.bindingsOf(context.state.exchange)) ?? [];
  const others = [...new Set(bindings.map((binding) => binding.queue))].filter((queue) => queue !== context.state.audit && queue !== context.state.queue);
  for (const queue of others) {
    const details = await context.rabbit.queueDetails(queue);
    let kind: string | undefined;
    if (queue.startsWith('amq.gen-')) kind = 'a server-named queue';
    else if (details?.exclusive) kind = 'an exclusive queue';
    else if (details?.autoDelete) kind = 'an auto-delete queue';
    if (kind) failExclusive(`${notifier.name} consumes ${kind} (${queue}) instead of the named queue ${context.state.queue}. The broker deletes that queue when the notifier's connection closes, so every event published while the notifier is down is lost.`, queue);
    if (queue.includes(notifier.name) || (notifier.pid !== undefined && queue.includes(String(notifier.pid)))) {
      fail(`${notifier.name} declared a queue of its own (${queue}) instead of the shared queue ${context.state.queue}. With a queue per instance, every instance gets its own copy of each event, so a second notifier handles every event a second time instead of sharing the work.`, {
        mistake: mistakes.queuePerInstance,
        expected: `every notifier instance consumes QUEUE (${context.state.queue})`,
        actual: `queue ${queue}, named after the instance`,
        next: 'use process.env.QUEUE as it is for the queue name; instances of one service share one queue, and each event goes to one of them',
      });
    }
  }
  if (others.length) {
    fail(`${notifier.name} bound ${others.join(', ')} to the exchange, but not the queue named in QUEUE (${context.state.queue}).`, {
      expected: `a consumer on ${context.state.queue}`,
      actual: `bindings: ${bindings.map((binding) => `${binding.queue} ← ${binding.routingKey}`).join(', ')}`,
      next: 'read the queue name from process.env.QUEUE, declare it, bind it and consume it',
    });
  }
  throw original;
}

export function failExclusive(message: string, queue: string): never {
  fail(message, {
    mistake: mistakes.exclusiveQueue,
    expected: 'a named queue declared with { durable: true } and neither exclusive nor autoDelete',
    actual: `queue ${queue}`,
    next: "declare the queue with channel.assertQueue(QUEUE, { durable: true }): not '' (a server-named queue), no exclusive: true, no autoDelete: true",
  });
}

export function failRouting(context: Context, missing: string[], extra: string[], bindings: string): never {
  const mismatched = [...missing, ...extra];
  const actual = `bindings of ${context.state.queue}: ${bindings}`;
  if (mismatched.every((key) => words(key) > 3)) {
    const parts = [
      ...missing.map((key) => `${key} never arrived: a * matches exactly one word, so order.eu.* cannot match an event name of two words`),
      ...extra.map((key) => `${key} arrived although its event is ${key.split('.').slice(2).join('.')}, not cancelled: a # matches any number of words, so order.#.cancelled matches it`),
    ];
    fail(`The subscription mixes up * and #. ${parts.join('; ')}.`, {
      mistake: mistakes.starVersusHash,
      expected: `bindings ${PATTERNS}`,
      actual,
      next: 'bind order.<region>.# for each region (# = zero or more words) and order.*.<event> for each event (* = exactly one word, the region)',
    });
  }
  fail(`The notifier did not receive exactly the events its subscription matches.${missing.length ? ` Missing: ${missing.join(', ')}.` : ''}${extra.length ? ` Not subscribed, but received: ${extra.join(', ')}.` : ''}`, {
    expected: `bindings ${PATTERNS}: every event of region eu, and cancelled events of any region`,
    actual,
    next: 'build one pattern per region (order.<region>.#) and one per event (order.*.<event>) from REGIONS and EVENTS, and bind QUEUE with each',
  });
}

export async function describeBindings(context: Context): Promise<string> {
  const bindings = await context.rabbit.bindingsOf(context.state.exchange);
  if (!bindings) return '(management API not reachable)';
  const own = bindings.filter((binding) => binding.queue === context.state.queue).map((binding) => binding.routingKey);
  return own.length ? own.join(', ') : 'none';
}

