// Explains how the retry-dlx check saw a job go wrong: which mistake the evidence shows, and
// what to change. The evidence is the processor's events, the queues' contents and settings.
import { fail } from '../../src/checking/failure.js';
import { deadLetterRoute, deadLetterSettings, describeRoute } from './04-retry-dlx-topology.js';
import { EARLY_TOLERANCE_MS, MAX_ATTEMPTS, RETRY_DELAY_MS, deliveries, gaps, outcomes, timeline, type Context, type JobEvent } from './04-retry-dlx-jobs.js';

export const mistakes = {
  requeue: 'nack-requeue',
  attemptsInMemory: 'attempts-in-memory',
  deadLetterCycle: 'dead-letter-cycle',
  queueNotDeclared: 'queue-not-declared',
  autoAck: 'auto-ack',
  workNotDeadLettered: 'work-not-dead-lettered',
  retryTtl: 'retry-ttl',
  retryNotRoutedBack: 'retry-not-routed-back',
  noRetryDelay: 'no-retry-delay',
  wrongAttemptCount: 'wrong-attempt-count',
  notParked: 'not-parked',
  failedJobAcked: 'failed-job-acked',
  jobNotSettled: 'job-not-settled',
  doubleAck: 'double-ack',
  inequivalentArguments: 'inequivalent-arguments',
  invalidArgument: 'invalid-argument',
} as const;

const EARLIEST_RETRY_MS = RETRY_DELAY_MS - EARLY_TOLERANCE_MS;

const ATTEMPT_FROM_X_DEATH =
  'take the count of the x-death entry whose queue is WORK_QUEUE and reason is "rejected", plus 1 (attempt 1 when there is no such entry)';

function attemptsOf(events: JobEvent[]): number[] {
  return events.map((event) => Number(event.attempt));
}

function rises(values: number[]): boolean {
  return values.every((value, index) => index === 0 || value > values[index - 1]);
}

/** Fails when a retry came back sooner than the retry delay allows. */
export function checkRetryDelay(id: string, seen: JobEvent[]): void {
  const early = gaps(seen).filter((gap) => gap < EARLIEST_RETRY_MS);
  if (early.length === 0) return;
  if (!rises(attemptsOf(seen))) failRequeue(id, seen);
  fail(`Job ${id} came back ${Math.min(...early)} ms after its previous attempt, sooner than the retry delay of ${RETRY_DELAY_MS} ms, so it did not wait in the retry queue.`, {
    mistake: mistakes.noRetryDelay,
    expected: `each retry at least ${RETRY_DELAY_MS} ms after the previous attempt (RETRY_DELAY_MS)`,
    actual: timeline(seen),
    next: "dead-letter rejected jobs from WORK_QUEUE into RETRY_QUEUE ('x-dead-letter-routing-key': RETRY_QUEUE), and give RETRY_QUEUE 'x-message-ttl': RETRY_DELAY_MS",
  });
}

function failRequeue(id: string, seen: JobEvent[]): never {
  fail(`Job ${id} came straight back to the processor, again and again, always as the same attempt: it is put back on the work queue (nack or reject with requeue true) instead of being dead-lettered into the retry queue. A poison job in such a loop never ends and holds up the jobs behind it.`, {
    mistake: mistakes.requeue,
    expected: `each retry after the retry delay of ${RETRY_DELAY_MS} ms, with a rising attempt number`,
    actual: `${seen.length} deliveries: ${timeline(seen)}`,
    next: 'reject failed jobs with channel.reject(message, false) (or channel.nack(message, false, false)): requeue false lets the work queue dead-letter them into the retry queue',
  });
}

/** Fails for a job delivered more times than it should have been: which mistake depends on how fast, and on the attempt numbers. */
export function failTooManyDeliveries(id: string, seen: JobEvent[], expected: number): never {
  const fast = gaps(seen).filter((gap) => gap < EARLIEST_RETRY_MS).length;
  const attempts = attemptsOf(seen);
  if (fast * 2 >= seen.length - 1) checkRetryDelay(id, seen);
  if (!rises(attempts)) {
    fail(`Job ${id} was delivered ${seen.length} times, but the attempt numbers did not rise: ${attempts.join(', ')}. The attempt number must come from the x-death header, which RabbitMQ updates each time the job is dead-lettered.`, {
      mistake: mistakes.wrongAttemptCount,
      expected: `${expected} deliveries, numbered 1 to ${expected}`,
      actual: timeline(seen),
      next: ATTEMPT_FROM_X_DEATH,
    });
  }
  fail(`Job ${id} was tried ${seen.length} times, but MAX_ATTEMPTS is ${MAX_ATTEMPTS}: after the last attempt fails, the job must be parked, not rejected again.`, {
    mistake: mistakes.notParked,
    expected: `${expected} attempts, then one copy in the parking queue`,
    actual: timeline(seen),
    next: 'when attempt >= MAX_ATTEMPTS and the job fails, send it to PARKING_QUEUE with headers { error, attempts }, wait for the confirm, then ack it',
  });
}

/** Fails for a job parked before it had MAX_ATTEMPTS attempts. */
export function failParkedEarly(id: string, seen: JobEvent[]): never {
  fail(`Job ${id} was parked after ${seen.length} deliveries, but MAX_ATTEMPTS is ${MAX_ATTEMPTS}: the attempt number is too high.`, {
    mistake: mistakes.wrongAttemptCount,
    expected: `attempt numbers 1, 2, 3 on three deliveries`,
    actual: timeline(seen),
    next: `${ATTEMPT_FROM_X_DEATH}; adding up every x-death entry also counts the retry queue's "expired" entries`,
  });
}

/**
 * Fails for a job that stopped moving: it sits in a queue, or it vanished. A vanished job is
 * explained by where the work and retry queues dead-letter it, read from their settings.
 */
export async function failJobLost(context: Context, id: string, windowMs: number): Promise<never> {
  const seen = deliveries(context, id);
  const within = `within ${(windowMs / 1000).toFixed(1)} s`;
  if (seen.length === 0) {
    fail(`The processor never received job ${id} (${within} of publishing it).`, {
      next: 'consume WORK_QUEUE with channel.consume(WORK_QUEUE, handler, { noAck: false }) and report("received", { id, attempt }) for each job',
    });
  }
  const { work, retry } = context.state;
  const [inWork, inRetry] = [await context.rabbit.inspectQueue(work), await context.rabbit.inspectQueue(retry)];
  const retrySettings = await deadLetterSettings(context.rabbit, retry);
  const after = `after ${timeline(seen)}`;

  if (inRetry && inRetry.messageCount > 0) {
    const ttl = retrySettings?.ttlMs;
    fail(`Job ${id} is stuck in the retry queue: ${ttl === undefined ? 'the queue has no x-message-ttl, so nothing ever expires from it' : `its x-message-ttl is ${ttl} ms`}.`, {
      mistake: mistakes.retryTtl,
      expected: `the job back in the work queue ${RETRY_DELAY_MS} ms after each failure`,
      actual: `${inRetry.messageCount} message(s) in ${retry} ${after}`,
      next: "declare RETRY_QUEUE with 'x-message-ttl': RETRY_DELAY_MS",
    });
  }
  if (inWork && inWork.messageCount > 0) failNotSettled(id, seen, `${inWork.messageCount} message(s) ready in ${work}, and the processor takes none`);

  const last = seen[seen.length - 1];
  const settled = outcomes(context, id).some((event) => event.at >= last.at && event.program === last.program);
  if (!settled) failNotSettled(id, seen, `no "retrying", "parked" or "done" event for the last delivery ${after}`);

  return explainVanished(context, id, seen);
}

function failNotSettled(id: string, seen: JobEvent[], actual: string): never {
  fail(`Job ${id} was received but never settled: not acked, rejected or parked. With prefetch 1, the processor then gets no other job either.`, {
    mistake: mistakes.jobNotSettled,
    expected: 'each delivery ends with an ack (done or parked) or a reject without requeue (retrying), and its event',
    actual,
    next: "on failure call channel.reject(message, false) and report('retrying', ...); on success or parking, ack after the confirm",
  });
}

/** Follows the dead-letter routes of a job that is in neither queue, to name the setting that lost it. */
async function explainVanished(context: Context, id: string, seen: JobEvent[]): Promise<never> {
  const { work, retry, version } = context.state;
  const actual = `job ${id} is in no queue after ${timeline(seen)}`;
  const workSettings = await deadLetterSettings(context.rabbit, work);
  const retrySettings = await deadLetterSettings(context.rabbit, retry);
  if (!workSettings || !retrySettings) {
    context.trace('management API not reachable: the dead-letter routes of the queues cannot be read');
    fail(`Job ${id} vanished after attempt ${seen.length}: it left the work queue and never came back. Either it was acked although it failed, or a dead-letter route leads nowhere, or back into the retry queue itself (a dead-letter cycle, which RabbitMQ drops).`, {
      mistake: mistakes.retryNotRoutedBack,
      actual,
      next: "check that WORK_QUEUE dead-letters to RETRY_QUEUE and RETRY_QUEUE dead-letters to WORK_QUEUE, each with 'x-dead-letter-exchange': '' and an explicit 'x-dead-letter-routing-key'",
    });
  }

  const rejectedRoute = await deadLetterRoute(context.rabbit, workSettings, work);
  if (rejectedRoute.kind !== 'queues' || !rejectedRoute.queues.includes(retry)) {
    fail(`Job ${id} vanished when the processor rejected it: the work queue dead-letters to ${describeRoute(rejectedRoute)}, not to the retry queue.`, {
      mistake: mistakes.workNotDeadLettered,
      actual,
      next: "declare WORK_QUEUE with 'x-dead-letter-exchange': '' and 'x-dead-letter-routing-key': RETRY_QUEUE",
    });
  }

  // The job's routing key in the retry queue: the work queue's dead-letter key replaced the original one.
  const keyInRetry = workSettings.routingKey ?? work;
  const expiredRoute = await deadLetterRoute(context.rabbit, retrySettings, keyInRetry);
  if (expiredRoute.kind === 'queues' && expiredRoute.queues.includes(retry)) {
    // Dead-letter cycle detection, as read in the RabbitMQ source. When a message expires (or
    // overflows a length limit), RabbitMQ looks for the target queue among the queues the message
    // already died in. If it is there, and no death since then (that one included) was a rejection,
    // the message is dropped instead of delivered. A message dead-lettered by a rejection is never
    // checked. RabbitMQ 3.10 reads the deaths from the x-death header, which a publisher can set too
    // (rabbit_dead_letter:is_cycle). 4.x reads its own record of the deaths, newest first, and ignores
    // an x-death header set by a publisher (mc:is_death_cycle). So retry -(expired)-> retry is dropped
    // on both lines, and work -(rejected)-> retry -(expired)-> work passes on both.
    fail(`Job ${id} expired from the retry queue straight back into the retry queue, because the retry queue dead-letters to ${describeRoute(expiredRoute)}. RabbitMQ ${version} saw a dead-letter cycle made of expiries alone, with no rejection in it, and dropped the job, with nothing but a warning in the broker's log (RabbitMQ 3.x and 4.x both do this).`, {
      mistake: mistakes.deadLetterCycle,
      expected: `the job back in ${work} ${RETRY_DELAY_MS} ms after each failure`,
      actual,
      next: "declare RETRY_QUEUE with 'x-dead-letter-exchange': '' and 'x-dead-letter-routing-key': WORK_QUEUE; without a routing key an expired job keeps the one that brought it into the retry queue",
    });
  }
  if (expiredRoute.kind !== 'queues' || !expiredRoute.queues.includes(work)) {
    fail(`Job ${id} vanished when it expired from the retry queue: the retry queue dead-letters to ${describeRoute(expiredRoute)}, not to the work queue.`, {
      mistake: mistakes.retryNotRoutedBack,
      actual,
      next: "declare RETRY_QUEUE with 'x-dead-letter-exchange': '' and 'x-dead-letter-routing-key': WORK_QUEUE",
    });
  }

  fail(`Job ${id} vanished after attempt ${seen.length}, although both dead-letter routes lead where they should: the processor acknowledged a job that failed (an ack in a finally block does this), so RabbitMQ forgot it.`, {
    mistake: mistakes.failedJobAcked,
    actual,
    next: 'ack only after a result or a parked copy is confirmed; a failed attempt below MAX_ATTEMPTS is rejected with requeue false, never acked',
  });
}
