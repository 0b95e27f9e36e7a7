// The consumer-group check's shared state and the assertions its steps make on the group and the topics.
import { javaDefaultPartition } from '../../src/clients/kafka.js';
import { fail } from '../../src/checking/failure.js';
import type { KafkaCollector } from '../../src/checking/kafka-collector.js';
import type { KafkaRecord } from '../../src/checking/kafka.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import type { CheckContext } from '../../src/checking/types.js';
import { findOrderViolation, outputsByEvent, PARTITIONS, type OrderEvent } from './06-consumer-group.events.js';

export interface State {
  input: string;
  output: string;
  group: string;
  events: OrderEvent[];
  instances: LearnerProcess[];
  collector?: KafkaCollector;
}

export type Context = CheckContext<State>;

export const mistakes = {
  notAwaited: 'work-not-awaited',
  groupIdPerStart: 'group-id-per-start',
  noFromBeginning: 'no-from-beginning',
  noSigtermHandler: 'no-sigterm-handler',
  errorsSwallowed: 'errors-swallowed',
} as const;

export function failGroupPerStart(context: Context, groups: string[]): never {
  fail(`The instances joined ${groups.length === 1 ? 'the group' : 'the groups'} ${groups.join(', ')} instead of ${context.state.group}. A group id that changes on every start makes each instance a group of its own: each one reads every partition, and a restart finds none of the offsets committed before it.`, {
    mistake: mistakes.groupIdPerStart,
    expected: `every instance in the consumer group ${context.state.group}`,
    actual: `groups: ${groups.join(', ')}`,
    next: 'pass groupId: GROUP_ID (from process.env.GROUP_ID) to kafka.consumer(), unchanged: no pid, time or random suffix',
  });
}

/**
 * Waits until the group is Stable with `count` members. Fails at once, naming the mistake, when
 * an instance joins another group of this run.
 */
export async function waitForGroup(context: Context, count: number, windowMs: number, who: string): Promise<void> {
  const deadline = Date.now() + windowMs;
  let last = { state: 'Dead', clientIds: [] as string[] };
  for (;;) {
    last = await context.kafka.describeGroup(context.state.group);
    if (last.state === 'Stable' && last.clientIds.length === count) return;
    const strays = (await context.kafka.runGroups()).filter((group) => group !== context.state.group);
    if (strays.length) failGroupPerStart(context, strays);
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seen = last.clientIds.length === 0 ? 'no instance joined it' : `it is ${last.state} with ${last.clientIds.length} member(s)`;
  fail(`${who}: the consumer group ${context.state.group} did not reach ${count} member(s) within ${windowMs / 1000} s; ${seen}.`, {
    expected: `${count} member(s), state Stable`,
    actual: `${last.state}, members: ${last.clientIds.join(', ') || 'none'}`,
    next: 'create the consumer with groupId: GROUP_ID, subscribe to INPUT_TOPIC and call consumer.run({ eachMessage })',
  });
}

/** Returns true once the group's committed offsets on the input topic equal its end offsets. */
export async function committedAtEnd(context: Context): Promise<boolean> {
  const [ends, committed] = await Promise.all([context.kafka.endOffsets(context.state.input), context.kafka.committedOffsets(context.state.group, context.state.input)]);
  // An empty partition has nothing to commit: its committed offset stays -1.
  return [...ends].every(([partition, end]) => end === 0 || committed.get(partition) === end);
}

export async function describeOffsets(context: Context): Promise<string> {
  const [ends, committed] = await Promise.all([context.kafka.endOffsets(context.state.input), context.kafka.committedOffsets(context.state.group, context.state.input)]);
  return [...ends].map(([partition, end]) => `partition ${partition}: committed ${committed.get(partition) ?? -1} of ${end}`).join('; ');
}

/** Waits until the committed offsets reach the log end; kafkajs commits after each batch, and 5 s is many batches. */
export async function waitCommittedAtEnd(context: Context): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await committedAtEnd(context))) {
    if (Date.now() > deadline) {
      fail('Every event was projected, but within 5 s the group did not commit its offsets to the log end: a restart would project them again.', {
        actual: await describeOffsets(context),
        next: 'keep autoCommit on (the default) and let eachMessage return after each message, or commit with consumer.commitOffsets after processing',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Checks the contract of one output record: keyed by orderId, the fields present, the source position plausible. */
export function checkRecordShape(record: KafkaRecord): void {
  const body = record.body as Record<string, unknown> | null;
  if (!body || typeof body !== 'object') fail(`An output record is not JSON: ${record.value}.`, { expected: '{ "orderId", "seq", "status", "eventId", "sourcePartition", "sourceOffset", "instance" }', next: 'send JSON.stringify(record) as the value' });
  for (const field of ['orderId', 'seq', 'status', 'eventId', 'sourcePartition', 'sourceOffset', 'instance']) {
    if (!(field in body)) fail(`An output record is missing the field "${field}": ${record.value}.`, { expected: '{ "orderId", "seq", "status", "eventId", "sourcePartition", "sourceOffset", "instance" }', next: `add ${field} to each status record` });
  }
  if (record.key !== body.orderId) {
    fail(`An output record has the key ${JSON.stringify(record.key)}, but its orderId is ${JSON.stringify(body.orderId)}: records of one order must share a key, or they land in different partitions and lose their order.`, { next: 'send each status record with key: orderId' });
  }
  const expected = javaDefaultPartition(String(body.orderId), PARTITIONS);
  if (body.sourcePartition !== expected || typeof body.sourceOffset !== 'number') {
    fail(`The status record for ${body.eventId} says it came from partition ${body.sourcePartition}, offset ${body.sourceOffset}; the event is in partition ${expected}.`, { next: 'copy partition and Number(message.offset) from the eachMessage payload' });
  }
}

/** Waits until every event has an output; on a stall, names the mistake the missing ones point to. */
export async function expectAllProjected(context: Context, events: OrderEvent[], windowMs: number): Promise<void> {
  const collector = context.state.collector!;
  const missing = () => {
    const seen = outputsByEvent(collector.records);
    return events.filter((event) => !seen.has(event.id));
  };
  const deadline = Date.now() + windowMs;
  let stalledSince: number | undefined;
  while (missing().length > 0) {
    // Committed offsets at the log end with outputs still missing means the group moved past
    // messages it never projected. 2 s lets the checker's own reader catch up before judging.
    if (await committedAtEnd(context)) stalledSince ??= Date.now();
    else stalledSince = undefined;
    if ((stalledSince !== undefined && Date.now() - stalledSince > 2000) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const lost = missing();
  if (lost.length === 0) return;

  // Overlapping messages of one order are the root cause of any loss that comes with them.
  const violation = findOrderViolation(collector.records);
  if (violation) failNotAwaited(violation);
  const offsets = await describeOffsets(context);
  const ids = lost.map((event) => event.id);
  const shown = `${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ` and ${ids.length - 8} more` : ''}`;
  if (lost.every((event) => event.data.failOnce)) {
    fail(`The events whose work failed once (${shown}) never got a status record, yet the group committed past them: the error was caught and swallowed, so kafkajs treated them as done.`, {
      mistake: mistakes.errorsSwallowed,
      expected: 'a failed message is delivered again and projected on its second attempt',
      actual: offsets,
      next: 'let the error out of eachMessage (rethrow it after reporting it): kafkajs then commits nothing for that message and delivers it again',
    });
  }
  const backlog = new Set(events.filter((event) => event.phase === 'backlog').map((event) => event.id));
  if (ids.every((id) => backlog.has(id)) && ids.length === backlog.size) {
    fail(`None of the ${backlog.size} events produced before the group first started got a status record, while later ones did: a new group without committed offsets started at the log end and skipped the backlog.`, {
      mistake: mistakes.noFromBeginning,
      expected: `status records for the backlog ${[...backlog][0]}..`,
      actual: offsets,
      next: 'subscribe with { topic: INPUT_TOPIC, fromBeginning: true }: it only applies while the group has no committed offset, so a restart still resumes where it left off',
    });
  }
  fail(`Within ${windowMs / 1000} s, ${events.length - lost.length} of ${events.length} events got a status record; missing: ${shown}.`, {
    expected: 'a status record on the output topic for every event',
    actual: offsets,
    next: 'for every message: await the work, await producer.send(...) of its status record, and only then let eachMessage return',
  });
}

export function failNotAwaited(actual: string): never {
  fail('Status records of one order came out of order: the work runs without being awaited, so eachMessage returns at once, messages of one order overlap, and kafkajs commits offsets before their records exist.', {
    mistake: mistakes.notAwaited,
    expected: 'for every order, the status records in seq order',
    actual,
    next: 'await the work and the producer.send(...) inside eachMessage, so the handler returns only when the message is fully processed',
  });
}

