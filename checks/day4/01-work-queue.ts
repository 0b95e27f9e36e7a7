import { CheckFailure, fail } from '../../src/checking/failure.js';
import { waitForAnyEvent, type LearnerProcess } from '../../src/checking/learner.js';
import type { Collector, ReceivedMessage } from '../../src/checking/rabbit.js';
import { defineCheck, type CheckContext } from '../../src/checking/types.js';

interface State {
  tasks: string;
  results: string;
  workers: LearnerProcess[];
  collector?: Collector;
}

type Context = CheckContext<State>;

const PREFETCH = 1;

export const mistakes = {
  noAck: 'no-ack',
  noPrefetch: 'no-prefetch',
  misspelledOption: 'misspelled-consume-option',
  ackBeforeWork: 'ack-before-work',
  ackInFinally: 'ack-in-finally',
  doubleAck: 'double-ack',
} as const;

function startWorker(context: Context, name: string): LearnerProcess {
  const worker = context.spawn({
    name,
    program: 'worker.ts',
    env: { TASK_QUEUE: context.state.tasks, RESULT_QUEUE: context.state.results, PREFETCH: String(PREFETCH), WORKER_NAME: name },
  });
  context.state.workers.push(worker);
  return worker;
}

function liveWorkers(context: Context): LearnerProcess[] {
  return context.state.workers.filter((worker) => worker.running);
}

function resultFor(messages: ReceivedMessage[], id: string): Record<string, unknown> | undefined {
  return messages.map((message) => message.body as Record<string, unknown>).find((body) => body?.id === id);
}

async function publishTask(context: Context, task: { id: string; workMs: number; failFirst?: boolean }): Promise<void> {
  await context.rabbit.sendJson(context.state.tasks, task);
  context.trace(`published task ${task.id} (workMs ${task.workMs}${task.failFirst ? ', fails first' : ''}) to queue ${context.state.tasks}`);
}

/** Waits until every id has a result; on timeout, names the ones missing. */
async function expectResults(context: Context, ids: string[], windowMs: number, onMissing: (missing: string[]) => never): Promise<void> {
  const collector = context.state.collector!;
  await collector.waitUntil(
    (messages) => ids.every((id) => resultFor(messages, id)),
    windowMs,
    () => onMissing(ids.filter((id) => !resultFor(collector.messages, id))),
  );
}

const CONSUME_OPTIONS = new Set(['noAck', 'consumerTag', 'exclusive', 'priority', 'arguments', 'noLocal']);

/** Returns the option names of each channel.consume(...) call that amqplib does not know. */
export function unknownConsumeOptions(source: string): string[] {
  const unknown: string[] = [];
  for (let index = source.indexOf('.consume('); index !== -1; index = source.indexOf('.consume(', index + 1)) {
    // Find the call's closing parenthesis, then its last argument.
    let depth = 0;
    let end = index + '.consume'.length;
    for (; end < source.length; end++) {
      if ('([{'.includes(source[end])) depth++;
      if (')]}'.includes(source[end]) && --depth === 0) break;
    }
    const call = source.slice(index, end);
    const last = /\{([^{}]*)\}[^{}]*$/.exec(call);
    if (!last || !/\)\s*=>|function/.test(call.slice(0, last.index))) continue;
    for (const [, key] of last[1].matchAll(/(\w+)\s*:/g)) if (!CONSUME_OPTIONS.has(key)) unknown.push(key);
  }
  return unknown;
}

/** Fails with the prefetch mistake. The source distinguishes a missing prefetch from one passed as a consume option. */
function failNoPrefetch(context: Context, actual: string): never {
  const unknown = unknownConsumeOptions(context.readSource('worker.ts'));
  if (unknown.length) {
    fail(`channel.consume got an option amqplib does not know: ${unknown.join(', ')}. amqplib ignores unknown options silently, so this consumer has no prefetch limit.`, {
      mistake: mistakes.misspelledOption,
      expected: `at most ${PREFETCH} unacknowledged task(s) per worker (PREFETCH)`,
      actual,
      next: 'call await channel.prefetch(PREFETCH) before channel.consume; the consume options are noAck, consumerTag, exclusive, priority, arguments and noLocal',
    });
  }
  fail('The worker has no prefetch limit: RabbitMQ pushes it every ready task, so one busy worker holds tasks that an idle one could take.', {
    mistake: mistakes.noPrefetch,
    expected: `at most ${PREFETCH} unacknowledged task(s) per worker (PREFETCH)`,
    actual,
    next: 'call await channel.prefetch(PREFETCH) before channel.consume',
  });
}

/**
 * Fails because a worker had more tasks under way than PREFETCH allows. With a prefetch set, that
 * only happens when tasks are acknowledged before they are done, or never need an ack at all.
 */
function failTooManyInFlight(context: Context, actual: string): never {
  const source = context.readSource('worker.ts');
  if (!/\.prefetch\s*\(/.test(source)) failNoPrefetch(context, actual);
  if (/noAck\s*:\s*true/.test(source)) failNoAck(actual);
  fail('The worker acknowledges tasks before it has finished them: the prefetch window frees up at once, so it takes more tasks than PREFETCH allows, and a crash loses the ones under way.', {
    mistake: mistakes.ackBeforeWork,
    expected: `at most ${PREFETCH} task(s) under way per worker`,
    actual,
    next: 'move channel.ack(message) after the work and after sending the result',
  });
}

function failNoAck(actual: string): never {
  fail('The worker consumes with automatic acknowledgement (noAck: true): RabbitMQ forgets each task as soon as it is delivered, so a worker that dies mid-task loses it.', {
    mistake: mistakes.noAck,
    expected: 'consume with { noAck: false } and ack after the work',
    actual,
    next: 'remove noAck: true (or set it to false) and call channel.ack(message) after sending the result',
  });
}

/** Counts, from its events, the maximum number of tasks a worker had received and not yet finished at one time. */
function maxInFlight(worker: LearnerProcess): number {
  const open = new Set<unknown>();
  let max = 0;
  for (const event of worker.events) {
    if (event.event === 'received') open.add(event.id);
    if (event.event === 'done' || event.event === 'failed') open.delete(event.id);
    max = Math.max(max, open.size);
  }
  return max;
}

/** Names the mistake the management API can see on a consumer, if any. */
async function inspectConsumers(context: Context): Promise<void> {
  const consumers = await context.rabbit.consumers(context.state.tasks);
  if (!consumers) {
    context.trace('management API not reachable: acks and prefetch are checked by behaviour only');
    return;
  }
  for (const consumer of consumers) {
    context.trace(`consumer ${consumer.consumerTag}: ack required ${consumer.ackRequired}, prefetch ${consumer.prefetchCount}`);
    if (!consumer.ackRequired) failNoAck('consumer registered with noAck: true');
    if (consumer.prefetchCount === 0) failNoPrefetch(context, 'prefetch 0 (unlimited) on the consumer');
    if (consumer.prefetchCount !== PREFETCH) {
      fail(`The worker's prefetch is ${consumer.prefetchCount}, but PREFETCH is ${PREFETCH}.`, { next: 'read the limit from process.env.PREFETCH' });
    }
  }
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({ tasks: '', results: '', workers: [] }),
  diagnose(failure, output) {
    const line = output.find((text) => /unknown delivery tag/i.test(text));
    if (!line) return undefined;
    return new CheckFailure(`The broker closed the worker's channel: "${line.trim()}". A message was acknowledged twice, or on a channel other than the one that delivered it.`, {
      mistake: mistakes.doubleAck,
      next: 'call channel.ack(message) exactly once per message, on the channel whose consumer received it',
    });
  },
  steps: [
    {
      id: 'consumer',
      title: 'worker registers a consumer with manual acks and a prefetch limit',
      timeoutMs: 20_000,
      async run(context) {
        context.state.tasks = context.name('tasks');
        context.state.results = context.name('results');
        await context.rabbit.declareQueue(context.state.tasks, { durable: true });
        await context.rabbit.declareQueue(context.state.results, { durable: true });
        context.state.collector = await context.rabbit.collect(context.state.results);
        const worker = startWorker(context, 'worker-a');
        // The worker reports ready after its consume call, so a few seconds more is plenty.
        await worker.waitForEvent((event) => event.event === 'ready', 15_000, '{"event":"ready"} after starting to consume');
        await context.rabbit.waitForConsumers(context.state.tasks, 1, 3000, 'worker-a');
        await inspectConsumers(context);
      },
    },
    {
      id: 'share',
      title: 'two workers share 20 tasks, every task gets a result',
      timeoutMs: 30_000,
      async run(context) {
        startWorker(context, 'worker-b');
        await context.rabbit.waitForConsumers(context.state.tasks, 2, 15_000, 'worker-b');
        const ids = Array.from({ length: 20 }, (_, index) => `share-${index + 1}`);
        for (const id of ids) await context.rabbit.sendJson(context.state.tasks, { id, workMs: 100 });
        context.trace(`published 20 tasks share-1..share-20 (workMs 100) to queue ${context.state.tasks}`);

        await expectResults(context, ids, 10_000, (missing) =>
          fail(`Within 10 s, ${ids.length - missing.length} of 20 tasks got a result; missing: ${missing.join(', ')}.`, {
            next: `send { id, worker, redelivered } to RESULT_QUEUE for every task, then ack it`,
          }),
        );
        const messages = context.state.collector!.messages;
        const first = resultFor(messages, ids[0])!;
        for (const field of ['id', 'worker', 'redelivered']) {
          if (!(field in first) || first[field] === undefined) {
            fail(`A result is missing the field "${field}": ${JSON.stringify(first)}.`, {
              expected: '{ "id": ..., "worker": ..., "redelivered": ... }',
              next: 'take id from the task, worker from WORKER_NAME, and redelivered from message.fields.redelivered',
            });
          }
        }
        for (const worker of context.state.workers) {
          const inFlight = maxInFlight(worker);
          if (inFlight > PREFETCH) failTooManyInFlight(context, `${worker.name} worked on ${inFlight} tasks at once`);
        }
        const workers = new Set(ids.map((id) => resultFor(messages, id)!.worker));
        context.trace(`results came from: ${[...workers].join(', ')}`);
        if (workers.size < 2) {
          fail(`All 20 results came from ${[...workers][0]}: the second worker took no task.`, {
            mistake: mistakes.noPrefetch,
            next: 'set channel.prefetch(PREFETCH) before consuming, so one worker cannot take every task at once; and put WORKER_NAME in each result',
          });
        }
      },
    },
    {
      id: 'crash-redelivery',
      title: 'a worker killed mid-task loses nothing: the other one finishes it',
      timeoutMs: 30_000,
      async run(context) {
        await publishTask(context, { id: 'long-1', workMs: 2500 });
        const [holder] = await waitForAnyEvent(liveWorkers(context), (event) => event.event === 'received' && event.id === 'long-1', 5000, 'received for task long-1');
        context.trace(`${holder.name} reported received long-1; sending SIGKILL`);
        await holder.kill('SIGKILL');
        await holder.exited;

        await expectResults(context, ['long-1'], 8000, () =>
          fail('Task long-1 was lost: the worker that received it was killed, and no other worker ever finished it. RabbitMQ only redelivers a task that was not acknowledged.', {
            mistake: mistakes.ackBeforeWork,
            expected: 'the surviving worker sends a result for long-1 with redelivered: true',
            actual: 'no result for long-1 within 8 s of the kill',
            next: 'acknowledge after the work and after sending the result, never before; and consume with { noAck: false }',
          }),
        );
        const result = resultFor(context.state.collector!.messages, 'long-1')!;
        if (result.redelivered !== true) {
          fail(`The result for long-1 says redelivered: ${JSON.stringify(result.redelivered)}, but RabbitMQ delivered it a second time.`, {
            next: 'copy message.fields.redelivered into the result',
          });
        }
      },
    },
    {
      id: 'failed-task',
      title: 'a task whose work throws is put back, not acknowledged',
      timeoutMs: 20_000,
      async run(context) {
        await publishTask(context, { id: 'flaky-1', workMs: 50, failFirst: true });
        await expectResults(context, ['flaky-1'], 6000, () =>
          fail('Task flaky-1 failed on its first attempt and never came back: it was acknowledged although the work threw (an ack in a finally block does this), rejected without requeue, or left unacknowledged forever.', {
            mistake: mistakes.ackInFinally,
            expected: 'a result for flaky-1 with redelivered: true',
            actual: 'no result within 6 s',
            next: 'when work() throws, call channel.nack(message, false, true) and do not ack; ack only after a successful result',
          }),
        );
      },
    },
    {
      id: 'fair-dispatch',
      title: 'a long task on one worker does not hold back short tasks (fair dispatch)',
      timeoutMs: 30_000,
      async run(context) {
        startWorker(context, 'worker-c');
        await context.rabbit.waitForConsumers(context.state.tasks, 2, 15_000, 'worker-c');
        await publishTask(context, { id: 'slow-1', workMs: 3000 });
        const [busy] = await waitForAnyEvent(liveWorkers(context), (event) => event.event === 'received' && event.id === 'slow-1', 5000, 'received for task slow-1');
        const ids = Array.from({ length: 6 }, (_, index) => `short-${index + 1}`);
        for (const id of ids) await context.rabbit.sendJson(context.state.tasks, { id, workMs: 150 });
        context.trace(`${busy.name} is busy with slow-1; published 6 short tasks (workMs 150)`);

        await expectResults(context, ids, 2500, (missing) =>
          fail(`Short tasks waited behind the long one: ${missing.join(', ')} had no result 2.5 s after publishing, while one worker was idle. ${busy.name} held them in its buffer.`, {
            mistake: mistakes.noPrefetch,
            expected: 'the idle worker takes all 6 short tasks (about 1 s of work)',
            next: 'call await channel.prefetch(PREFETCH) before channel.consume',
          }),
        );
        const taken = ids.filter((id) => resultFor(context.state.collector!.messages, id)!.worker === busy.name);
        if (taken.length) failNoPrefetch(context, `${busy.name} took ${taken.join(', ')} while it was still busy with slow-1`);
      },
    },
  ],
});
