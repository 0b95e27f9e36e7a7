import { CheckFailure, fail } from '../../src/checking/failure.js';
import { defineCheck } from '../../src/checking/types.js';
import { checkRetryDelay, failJobLost, failParkedEarly, failTooManyDeliveries, mistakes } from './04-retry-dlx-diagnosis.js';
import {
  MAX_ATTEMPTS,
  RETRY_DELAY_MS,
  deliveries,
  eventsFor,
  outcomes,
  parkedFor,
  publishJob,
  resultsFor,
  startProcessor,
  timeline,
  until,
  type Context,
  type State,
} from './04-retry-dlx-jobs.js';
import { deadLetterSettings } from './04-retry-dlx-topology.js';

export { mistakes };

/** Always fails: more than MAX_ATTEMPTS failures. */
const POISON_FAILURES = 1000;

/**
 * How long a job may take to reach its end (result or parked copy): MAX_ATTEMPTS - 1 retry delays,
 * plus 4 s for the processor's own work and a slow, shared machine.
 */
const JOB_WINDOW_MS = (MAX_ATTEMPTS - 1) * RETRY_DELAY_MS + 4000;

/**
 * Good jobs published right behind a poison job must all be done within two retry delays: the
 * poison job waits out its retries in the retry queue, so nothing delays them. A processor
 * that retries in place, or loops on the poison job, keeps them waiting longer than that.
 */
const GOOD_JOBS_WINDOW_MS = 2 * RETRY_DELAY_MS;

/**
 * After a job is parked the check watches one retry delay more: a processor that parks a job
 * and also rejects it would show another attempt, or a second parked copy, within that time.
 */
const AFTER_PARKED_MS = RETRY_DELAY_MS + 300;

/** Waits for a job's parked copy or too many attempts, then checks it was parked once, after exactly MAX_ATTEMPTS attempts. */
async function expectParked(context: Context, id: string, count: (id: string) => number, windowMs: number): Promise<void> {
  const settled = await until(() => parkedFor(context, id).length > 0 || count(id) > MAX_ATTEMPTS, windowMs);
  if (count(id) > MAX_ATTEMPTS) return;
  if (settled) context.trace(`parked copy of ${id} arrived in ${context.state.parking} after ${timeline(deliveries(context, id))}`);
  if (!settled) {
    if (eventsFor(context, id, ['parked']).length) {
      fail(`The processor reported job ${id} as parked, but no copy of it reached the parking queue ${context.state.parking}.`, {
        mistake: mistakes.notParked,
        next: 'send the job to PARKING_QUEUE with channel.sendToQueue, await channel.waitForConfirms(), and only then ack it',
      });
    }
    await failJobLost(context, id, windowMs);
  }
  await context.sleep(AFTER_PARKED_MS);
}

function checkParkedCopy(context: Context, id: string): void {
  const copies = parkedFor(context, id);
  if (copies.length !== 1) {
    fail(`Job ${id} reached the parking queue ${copies.length} times; it must be parked once.`, {
      mistake: mistakes.notParked,
      next: 'after parking a job, ack it and do not reject it as well',
    });
  }
  if (resultsFor(context, id).length) fail(`Job ${id} always fails, yet it has a result in ${context.state.results}.`, { next: 'send a result only when handle() succeeds' });
  const headers = copies[0].properties.headers ?? {};
  if (typeof headers.error !== 'string' || headers.error === '') {
    fail(`The parked copy of ${id} has no "error" header, so whoever looks at the parking queue cannot tell why it failed.`, {
      actual: `headers ${JSON.stringify(headers)}`,
      next: 'send the parked copy with headers { error: error.message, attempts }',
    });
  }
  if (Number(headers.attempts) !== MAX_ATTEMPTS) {
    fail(`The parked copy of ${id} says attempts: ${JSON.stringify(headers.attempts)}, but it was tried ${MAX_ATTEMPTS} times.`, {
      mistake: mistakes.wrongAttemptCount,
      next: 'set the "attempts" header to the attempt number of the last, failed attempt',
    });
  }
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({ work: '', retry: '', parking: '', results: '', processors: [], published: [], version: '' }),
  diagnose(_failure, output) {
    const line = (pattern: RegExp) => output.find((text) => pattern.test(text))?.trim();
    const doubleAck = line(/unknown delivery tag/i);
    if (doubleAck) {
      return new CheckFailure(`The broker closed the processor's channel: "${doubleAck}". A job was acked or rejected twice, or on another channel than the one that delivered it.`, {
        mistake: mistakes.doubleAck,
        next: 'settle each delivery exactly once: ack (done or parked) or reject (retrying), never both',
      });
    }
    const invalid = line(/invalid arg/i);
    if (invalid) {
      return new CheckFailure(`The broker refused a queue declaration: "${invalid}". A queue argument has the wrong type; x-message-ttl, for one, must be a number, while environment variables are strings.`, {
        mistake: mistakes.invalidArgument,
        next: "pass 'x-message-ttl': Number(RETRY_DELAY_MS)",
      });
    }
    const inequivalent = line(/inequivalent arg/i);
    if (inequivalent) {
      return new CheckFailure(`The broker refused a queue declaration: "${inequivalent}". The program declared one queue twice with different arguments.`, {
        mistake: mistakes.inequivalentArguments,
        next: 'declare each queue once, with the same arguments wherever it is declared; when you change the arguments of a queue you run by hand, delete the queue first',
      });
    }
    return undefined;
  },
  steps: [
    {
      id: 'topology',
      title: 'processor declares the work, retry and parking queues and consumes with manual acks',
      timeoutMs: 25_000,
      async run(context) {
        const { state } = context;
        [state.work, state.retry, state.parking, state.results] = ['work', 'retry', 'parking', 'results'].map((suffix) => context.name(suffix));
        for (const queue of [state.work, state.retry, state.parking]) context.rabbit.track('queue', queue);
        state.version = await context.rabbit.serverVersion();
        context.trace(`RabbitMQ ${state.version}; retry delay ${RETRY_DELAY_MS} ms, ${MAX_ATTEMPTS} attempts at most`);
        await context.rabbit.declareQueue(state.results, { durable: true });
        state.resultCollector = await context.rabbit.collect(state.results);

        const processor = startProcessor(context, 'processor-a');
        // The processor reports ready after declaring its queues and starting to consume.
        await processor.waitForEvent((event) => event.event === 'ready', 15_000, '{"event":"ready"} after starting to consume');
        for (const [queue, variable] of [[state.work, 'WORK_QUEUE'], [state.retry, 'RETRY_QUEUE'], [state.parking, 'PARKING_QUEUE']]) {
          if (await context.rabbit.inspectQueue(queue)) continue;
          fail(`processor-a reported ready, but the queue ${queue} (${variable}) does not exist: the processor must declare it.`, {
            mistake: mistakes.queueNotDeclared,
            next: `declare it with channel.assertQueue(${variable}, { durable: true, ... }) before consuming (TODO 1)`,
          });
        }
        await context.rabbit.waitForConsumers(state.work, 1, 5000, 'processor-a');
        for (const consumer of (await context.rabbit.consumers(state.work)) ?? []) {
          if (consumer.ackRequired) continue;
          fail('The processor consumes with automatic acknowledgement (noAck: true): RabbitMQ forgets each job as it delivers it, so a failed job can be neither rejected into the retry queue nor parked.', {
            mistake: mistakes.autoAck,
            next: 'consume with { noAck: false }',
          });
        }
        await checkSettings(context);
        state.parkedCollector = await context.rabbit.collect(state.parking);
      },
    },
    {
      id: 'retry',
      title: `a job that fails twice succeeds on attempt 3, each retry after the ${RETRY_DELAY_MS} ms delay`,
      timeoutMs: 20_000,
      async run(context) {
        const id = 'flaky-1';
        await publishJob(context, { id, failAttempts: 2 });
        const ended = await until(() => resultsFor(context, id).length > 0 || parkedFor(context, id).length > 0 || deliveries(context, id).length > 3, JOB_WINDOW_MS);
        if (deliveries(context, id).length > 3) failTooManyDeliveries(id, deliveries(context, id), 3);
        if (!ended) await failJobLost(context, id, JOB_WINDOW_MS);
        if (parkedFor(context, id).length) failParkedEarly(id, deliveries(context, id));

        // The result can overtake the processor's own output; its "done" line follows within moments.
        await until(() => eventsFor(context, id, ['done']).length > 0, 2000);
        const seen = deliveries(context, id);
        context.trace(`result for ${id} arrived in ${context.state.results} after ${timeline(seen)}`);
        checkRetryDelay(id, seen);
        const result = resultsFor(context, id)[0].body as { attempt?: unknown };
        if (seen.length !== 3 || result.attempt !== 3) {
          fail(`Job ${id} fails on its first 2 attempts, yet it succeeded after ${seen.length} deliveries, with a result that says attempt ${JSON.stringify(result.attempt)}.`, {
            mistake: mistakes.wrongAttemptCount,
            expected: 'three deliveries, numbered 1, 2, 3, and a result { id, attempt: 3 }',
            actual: timeline(seen),
            next: 'take the attempt number from the x-death header: the count of its entry for WORK_QUEUE with reason "rejected", plus 1',
          });
        }
      },
    },
    {
      id: 'poison',
      title: `a job that always fails is tried ${MAX_ATTEMPTS} times and parked once, and jobs behind it go on`,
      timeoutMs: 25_000,
      async run(context) {
        const id = 'poison-1';
        await publishJob(context, { id, failAttempts: POISON_FAILURES });
        const good = Array.from({ length: 5 }, (_, index) => `good-${index + 1}`);
        for (const goodId of good) await context.rabbit.sendJson(context.state.work, { id: goodId, failAttempts: 0 }, { messageId: goodId });
        context.state.published.push(...good);
        context.trace(`published ${good.length} good jobs right behind ${id}`);

        const allGood = await until(() => good.every((goodId) => resultsFor(context, goodId).length > 0), GOOD_JOBS_WINDOW_MS);
        if (deliveries(context, id).length > MAX_ATTEMPTS) failTooManyDeliveries(id, deliveries(context, id), MAX_ATTEMPTS);
        if (!allGood) {
          const missing = good.filter((goodId) => resultsFor(context, goodId).length === 0);
          fail(`Good jobs waited behind the poison job ${id}: ${missing.join(', ')} had no result ${GOOD_JOBS_WINDOW_MS} ms after publishing.`, {
            expected: 'every good job done while the poison job waits in the retry queue',
            actual: `${id}: ${timeline(deliveries(context, id))}`,
            next: 'reject a failed job at once so it waits in the retry queue; do not sleep or retry inside the handler',
          });
        }

        await expectParked(context, id, (jobId) => deliveries(context, jobId).length, JOB_WINDOW_MS);
        const seen = deliveries(context, id);
        if (seen.length > MAX_ATTEMPTS) failTooManyDeliveries(id, seen, MAX_ATTEMPTS);
        if (seen.length < MAX_ATTEMPTS) failParkedEarly(id, seen);
        checkRetryDelay(id, seen);
        checkParkedCopy(context, id);
      },
    },
    {
      id: 'restart',
      title: 'a processor restarted between attempts goes on counting where it stopped',
      timeoutMs: 30_000,
      async run(context) {
        const id = 'poison-2';
        await publishJob(context, { id, failAttempts: POISON_FAILURES });
        const rejectedTwice = () => eventsFor(context, id, ['retrying']).length >= 2;
        if (!(await until(rejectedTwice, JOB_WINDOW_MS))) {
          fail(`The processor did not report {"event":"retrying"} twice for job ${id} within ${(JOB_WINDOW_MS / 1000).toFixed(1)} s.`, {
            actual: timeline(deliveries(context, id)),
            next: "report('retrying', { id, attempt, error }) right after rejecting a failed job",
          });
        }
        const [old] = context.state.processors.filter((processor) => processor.running);
        context.trace(`${old.name} rejected ${id} twice; stopping it (SIGTERM) while the job waits in the retry queue`);
        await old.stop();
        startProcessor(context, 'processor-b');
        await context.rabbit.waitForConsumers(context.state.work, 1, 15_000, 'processor-b');

        // Attempts are counted by their outcome: a delivery cut short by the stop is no attempt.
        await expectParked(context, id, (jobId) => outcomes(context, jobId).length, JOB_WINDOW_MS + 4000);
        const attempts = outcomes(context, id);
        if (attempts.length > MAX_ATTEMPTS) {
          const before = attempts.filter((event) => event.program === old.name).length;
          const firstAfter = eventsFor(context, id, ['received']).find((event) => event.program !== old.name);
          fail(`After the restart, processor-b tried job ${id} ${attempts.length - before} more times, ${attempts.length} attempts in all: the attempt count lived in ${old.name}'s memory and was lost with it. processor-b numbered its first delivery attempt ${JSON.stringify(firstAfter?.attempt)}, but it was attempt ${before + 1}.`, {
            mistake: mistakes.attemptsInMemory,
            expected: `${MAX_ATTEMPTS} attempts in all, then parked`,
            actual: timeline(deliveries(context, id)),
            next: 'count attempts from the x-death header that RabbitMQ keeps on the message, not in a Map or a variable of the process',
          });
        }
        if (attempts.length < MAX_ATTEMPTS) failParkedEarly(id, deliveries(context, id));
        checkParkedCopy(context, id);
      },
    },
    {
      id: 'accounting',
      title: 'every job ends exactly once: results + parked = published',
      timeoutMs: 10_000,
      async run(context) {
        const { published, work, retry } = context.state;
        const problems: string[] = [];
        for (const id of published) {
          const ends = resultsFor(context, id).length + parkedFor(context, id).length;
          if (ends !== 1) problems.push(`${id}: ${resultsFor(context, id).length} result(s), ${parkedFor(context, id).length} parked`);
        }
        for (const queue of [work, retry]) {
          const left = (await context.rabbit.inspectQueue(queue))?.messageCount ?? 0;
          if (left) problems.push(`${left} message(s) still in ${queue}`);
        }
        if (problems.length) {
          const results = context.state.resultCollector!.messages.length;
          const parked = context.state.parkedCollector!.messages.length;
          fail(`The jobs do not add up: ${results} result(s) + ${parked} parked copy(ies), for ${published.length} published jobs.`, {
            expected: 'each published job ends once: one result or one parked copy',
            actual: problems.join('; '),
            next: 'ack a job only after its result or parked copy is confirmed, and settle each delivery once',
          });
        }
      },
    },
  ],
});

/** Checks the queue settings that the management API shows. Without the API, only the message flow can show a wrong setting. */
async function checkSettings(context: Context): Promise<void> {
  const { work, retry, version } = context.state;
  const workSettings = await deadLetterSettings(context.rabbit, work);
  const retrySettings = await deadLetterSettings(context.rabbit, retry);
  if (!workSettings || !retrySettings) {
    context.trace('management API not reachable: queue settings are checked by behaviour only');
    return;
  }
  if (workSettings.exchange === undefined) {
    fail(`The work queue ${work} has no dead-letter exchange, so a job rejected without requeue is discarded instead of moving to the retry queue.`, {
      mistake: mistakes.workNotDeadLettered,
      actual: `RabbitMQ ${version}; the work queue has no x-dead-letter-exchange`,
      next: "declare WORK_QUEUE with arguments { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': RETRY_QUEUE }. Sending a copy to the retry queue yourself is no substitute: RabbitMQ 4.0 and later ignore an x-death header set by a publisher, so the attempt count would start over with every copy",
    });
  }
  if (retrySettings.ttlMs !== RETRY_DELAY_MS) {
    fail(`The retry queue ${retry} ${retrySettings.ttlMs === undefined ? 'has no x-message-ttl, so a job would wait there forever' : `has x-message-ttl ${retrySettings.ttlMs}, but RETRY_DELAY_MS is ${RETRY_DELAY_MS}`}.`, {
      mistake: mistakes.retryTtl,
      next: "declare RETRY_QUEUE with 'x-message-ttl': Number(RETRY_DELAY_MS)",
    });
  }
  if (retrySettings.exchange === undefined) {
    fail(`The retry queue ${retry} has no dead-letter exchange, so an expired job is discarded instead of going back to the work queue.`, {
      mistake: mistakes.retryNotRoutedBack,
      next: "declare RETRY_QUEUE with 'x-dead-letter-exchange': '' and 'x-dead-letter-routing-key': WORK_QUEUE",
    });
  }
}
