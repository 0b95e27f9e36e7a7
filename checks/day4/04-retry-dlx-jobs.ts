// The retry-dlx check's shared state and the evidence it collects about each job: the processor's
// events for it, and the results and parked copies that reached the broker.
import type { LearnerEvent, LearnerProcess } from '../../src/checking/learner.js';
import type { Collector, ReceivedMessage } from '../../src/checking/rabbit.js';
import type { CheckContext } from '../../src/checking/types.js';

/** The retry delay the checker sets: short for a fast check, yet far above a requeue loop's ~1 ms between deliveries. */
export const RETRY_DELAY_MS = 500;
export const MAX_ATTEMPTS = 3;
/**
 * How much sooner than RETRY_DELAY_MS a retry may seem to arrive. The checker times stdout lines
 * as it reads them, so a stall of the checker on a busy machine can shorten a gap by a little.
 */
export const EARLY_TOLERANCE_MS = 150;

export interface State {
  work: string;
  retry: string;
  parking: string;
  results: string;
  processors: LearnerProcess[];
  resultCollector?: Collector;
  parkedCollector?: Collector;
  /** Every job id the checker published, in order. */
  published: string[];
  /** The RabbitMQ server version, for messages where 3.x and 4.x differ. */
  version: string;
}

export type Context = CheckContext<State>;

export interface Job {
  id: string;
  failAttempts: number;
}

/** A processor event about one job, with the name of the processor that printed it. */
export type JobEvent = LearnerEvent & { program: string };

export function startProcessor(context: Context, name: string): LearnerProcess {
  const { work, retry, parking, results } = context.state;
  const processor = context.spawn({
    name,
    program: 'processor.ts',
    env: {
      WORK_QUEUE: work,
      RETRY_QUEUE: retry,
      PARKING_QUEUE: parking,
      RESULT_QUEUE: results,
      RETRY_DELAY_MS: String(RETRY_DELAY_MS),
      MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    },
  });
  context.state.processors.push(processor);
  return processor;
}

export async function publishJob(context: Context, job: Job): Promise<void> {
  await context.rabbit.sendJson(context.state.work, job, { messageId: job.id });
  context.state.published.push(job.id);
  const fails = job.failAttempts > MAX_ATTEMPTS ? 'always fails' : `fails its first ${job.failAttempts} attempts`;
  context.trace(`published job ${job.id} (${fails}) to queue ${context.state.work}`);
}

/** Collects the events of `kinds` that any processor reported for job `id`, in the order they arrived. */
export function eventsFor(context: Context, id: string, kinds: string[]): JobEvent[] {
  return context.state.processors
    .flatMap((processor) => processor.events.filter((event) => event.id === id && kinds.includes(event.event)).map((event) => ({ ...event, program: processor.name })))
    .sort((a, b) => a.at - b.at);
}

/** Each time a processor reported receiving the job: one per delivery. */
export const deliveries = (context: Context, id: string) => eventsFor(context, id, ['received']);

/** Each attempt a processor finished: rejected for a retry, parked, or done. A delivery cut short by a restart has none. */
export const outcomes = (context: Context, id: string) => eventsFor(context, id, ['retrying', 'parked', 'done']);

function withId(collector: Collector | undefined, id: string): ReceivedMessage[] {
  return (collector?.messages ?? []).filter((message) => (message.body as { id?: unknown } | null)?.id === id);
}

export const resultsFor = (context: Context, id: string) => withId(context.state.resultCollector, id);
export const parkedFor = (context: Context, id: string) => withId(context.state.parkedCollector, id);

/** Milliseconds between consecutive events. */
export function gaps(events: JobEvent[]): number[] {
  return events.slice(1).map((event, index) => event.at - events[index].at);
}

/** Deliveries as a short line: "attempt 1 (processor-a), attempt 2 +512 ms, ...". */
export function timeline(events: JobEvent[], max = 8): string {
  const parts = events.slice(0, max).map((event, index) => {
    const attempt = `attempt ${String(event.attempt ?? '?')}`;
    const gap = index === 0 ? ` at ${(event.at / 1000).toFixed(2)} s` : ` +${event.at - events[index - 1].at} ms`;
    const program = index === 0 || event.program !== events[index - 1].program ? ` (${event.program})` : '';
    return `${attempt}${gap}${program}`;
  });
  if (events.length > max) parts.push(`… ${events.length - max} more`);
  return parts.join(', ');
}

/** Polls `condition` every 20 ms; true when it held within `timeoutMs`, false otherwise. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
