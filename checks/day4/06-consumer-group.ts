import { CheckFailure, fail } from '../../src/checking/failure.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import { defineCheck } from '../../src/checking/types.js';
import { eventValue, findOrderViolation, makeOrderEvents, PARTITIONS, type OrderEvent } from './06-consumer-group.events.js';
import {
  checkRecordShape,
  describeOffsets,
  expectAllProjected,
  failGroupPerStart,
  failNotAwaited,
  mistakes,
  waitCommittedAtEnd,
  waitForGroup,
  type Context,
  type State,
} from './06-consumer-group.expect.js';

export { mistakes };

const BACKLOG = 100;
const LIVE = 500;

function startInstance(context: Context, name: string): LearnerProcess {
  const instance = context.spawn({
    name,
    program: 'order-projector.ts',
    env: { INPUT_TOPIC: context.state.input, OUTPUT_TOPIC: context.state.output, GROUP_ID: context.state.group, INSTANCE: name },
  });
  context.state.instances.push(instance);
  return instance;
}

async function produceEvents(context: Context, events: OrderEvent[], note: string): Promise<void> {
  await context.kafka.produce(
    context.state.input,
    events.map((event) => ({ key: event.data.orderId, value: eventValue(event) })),
  );
  context.state.events.push(...events);
  const failing = events.filter((event) => event.data.failOnce).map((event) => event.id);
  context.trace(`produced ${events.length} events ${events[0].id}..${events.at(-1)!.id} to ${context.state.input} (${note})${failing.length ? `; failing once: ${failing.join(', ')}` : ''}`);
}

function liveInstances(context: Context): LearnerProcess[] {
  return context.state.instances.filter((instance) => instance.running);
}

export default defineCheck<State>({
  brokers: ['kafka'],
  initialState: () => ({ input: '', output: '', group: '', events: [], instances: [] }),
  diagnose(failure, output) {
    // An error from the work that escaped as an unhandled rejection: kafkajs catches every error
    // of an awaited eachMessage, so only work that is not awaited can crash the process this way.
    if (failure.details.mistake !== 'program-exited' || !output.some((line) => /failed on its first attempt/.test(line))) return undefined;
    return new CheckFailure('An instance crashed on an unhandled promise rejection from the work: eachMessage does not await it, so the error escaped kafkajs, and the offsets of messages still in progress were already committed.', {
      mistake: mistakes.notAwaited,
      next: 'await the work and producer.send(...) inside eachMessage; let errors out of eachMessage so kafkajs delivers the message again',
    });
  },
  steps: [
    {
      id: 'group',
      title: 'two instances join one consumer group',
      timeoutMs: 25_000,
      async run(context) {
        context.state.input = context.name('orders');
        context.state.output = context.name('order-status');
        context.state.group = context.name('order-projector');
        await context.kafka.createTopic(context.state.input, PARTITIONS);
        await context.kafka.createTopic(context.state.output, PARTITIONS);
        context.kafka.trackGroup(context.state.group);
        context.state.collector = await context.kafka.collect(context.state.output);
        await produceEvents(context, makeOrderEvents(context.state.events, BACKLOG, { phase: 'backlog' }), 'a backlog, before any instance starts');

        startInstance(context, 'projector-a');
        startInstance(context, 'projector-b');
        // Two program starts and a first join: about 2 s here; 15 s leaves room on a busy machine.
        await waitForGroup(context, 2, 15_000, 'projector-a and projector-b');
        context.trace(`group ${context.state.group} is Stable with 2 members`);
      },
    },
    {
      id: 'stream',
      title: '600 events: each projected, in order per key, offsets committed to the log end',
      timeoutMs: 40_000,
      async run(context) {
        await produceEvents(context, makeOrderEvents(context.state.events, LIVE, { phase: 'live', failOnce: [77, 222, 431] }), 'while the group runs');
        // 600 events of up to 5 ms of work plus a send each, shared by two instances: about 3 s here.
        await expectAllProjected(context, context.state.events, 20_000);
        const records = context.state.collector!.records;
        for (const record of records) checkRecordShape(record);
        const violation = findOrderViolation(records);
        if (violation) failNotAwaited(violation);
        context.trace(`all ${context.state.events.length} events projected (${records.length} status records), each order in seq order`);

        await waitCommittedAtEnd(context);
        context.trace(`committed offsets reached the log end: ${await describeOffsets(context)}`);
      },
    },
    {
      id: 'sigterm',
      title: 'SIGTERM: the instance leaves the group, the others rebalance within seconds',
      timeoutMs: 25_000,
      async run(context) {
        const extra = startInstance(context, 'projector-c');
        await waitForGroup(context, 3, 15_000, 'projector-c');
        // The group can be Stable before consumer.run() returns in the program. A SIGTERM handler
        // registered after that would not exist yet, but "ready" comes after both.
        await extra.waitForEvent((event) => event.event === 'ready', 5000, '{"event":"ready"} after consumer.run()');
        context.trace('group is Stable with 3 members; sending SIGTERM to projector-c');

        await extra.kill('SIGTERM');
        const sent = Date.now();
        const exit = await extra.waitFor(() => extra.exit, 5000, () =>
          fail('projector-c was still running 5 s after SIGTERM.', { next: 'in the SIGTERM handler, await consumer.disconnect() and producer.disconnect(), then call process.exit(0)' }),
        );
        if (exit.signal === 'SIGTERM') {
          fail('projector-c was killed by SIGTERM: the program has no SIGTERM handler, so it never left the group. Its partitions stay with a dead member until the 6 s session timeout, and the offsets of its last messages are not committed.', {
            mistake: mistakes.noSigtermHandler,
            expected: 'the instance disconnects its consumer and exits 0',
            actual: 'terminated by the signal',
            next: "add process.once('SIGTERM', async () => { await consumer.disconnect(); await producer.disconnect(); process.exit(0); })",
          });
        }

        // A clean leave rebalances the group at once, and without one the coordinator waits for the
        // 6 s session timeout. A 4 s window separates the two with room for a busy machine.
        const deadline = sent + 4000;
        const settled = (group: { state: string; clientIds: string[] }) => group.state === 'Stable' && group.clientIds.length === 2;
        let group = await context.kafka.describeGroup(context.state.group);
        while (!settled(group) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          group = await context.kafka.describeGroup(context.state.group);
        }
        if (!settled(group)) {
          fail(`projector-c exited (code ${exit.code}) without leaving the group: 4 s after SIGTERM the group is ${group.state} with ${group.clientIds.length} members, so its partitions wait for the 6 s session timeout.`, {
            mistake: mistakes.noSigtermHandler,
            expected: 'the group Stable with the 2 remaining members within 4 s',
            next: 'in the SIGTERM handler, await consumer.disconnect() before process.exit(): disconnect sends LeaveGroup',
          });
        }
        context.trace(`group rebalanced to 2 members ${((Date.now() - sent) / 1000).toFixed(1)} s after SIGTERM`);
      },
    },
    {
      id: 'sigkill',
      title: 'SIGKILL mid-stream: the survivor takes over and nothing is lost',
      timeoutMs: 30_000,
      async run(context) {
        const batch = makeOrderEvents(context.state.events, 120, { phase: 'kill', workMs: 5 });
        const ids = new Set(batch.map((event) => event.id));
        await produceEvents(context, batch, 'each with 5 ms of work');

        const victim = context.state.instances.find((instance) => instance.name === 'projector-a')!;
        await victim.waitForEvent((event) => event.event === 'projected' && ids.has(String(event.id)), 10_000, 'projected for one of the new events');
        await victim.kill('SIGKILL');
        await victim.exited;
        // The coordinator drops a killed member after its 6 s session timeout; removing it now
        // saves that wait. Only possible when the instance used INSTANCE as its client id.
        const removed = await context.kafka.removeMembers(context.state.group, victim.name);
        context.trace(
          removed.length
            ? `SIGKILL projector-a mid-stream; removed its member from the group at once instead of waiting for the 6 s session timeout`
            : `SIGKILL projector-a mid-stream; no member has the client id projector-a, so the group waits for its session timeout`,
        );

        await waitForGroup(context, 1, 15_000, 'projector-b, after projector-a was killed');
        await expectAllProjected(context, batch, 15_000);
        context.trace(`all ${batch.length} events of the batch projected after the kill`);
      },
    },
    {
      id: 'resume',
      title: 'a restarted group resumes from its committed offsets',
      timeoutMs: 30_000,
      async run(context) {
        await waitCommittedAtEnd(context);
        for (const instance of liveInstances(context)) await instance.stop();
        // stop() ends with SIGKILL when SIGTERM takes over 3 s, and a killed member stays in the group.
        await context.kafka.removeMembers(context.state.group);
        const before = new Set(context.state.events.map((event) => event.id));
        const batch = makeOrderEvents(context.state.events, 40, { phase: 'restart' });
        await produceEvents(context, batch, 'while every instance is stopped');

        const restarted = startInstance(context, 'projector-d');
        await expectAllProjected(context, batch, 15_000);
        const repeated = context.state.collector!.records.filter((record) => {
          const body = record.body as { instance?: unknown; eventId?: unknown };
          return body.instance === restarted.name && before.has(String(body.eventId));
        });
        if (repeated.length > 0) {
          const strays = (await context.kafka.runGroups()).filter((group) => group !== context.state.group);
          if (strays.length) failGroupPerStart(context, strays);
          fail(`After the restart, projector-d projected ${repeated.length} events that the group had already committed, starting at ${(repeated[0].body as { eventId: string }).eventId}.`, {
            expected: `only the ${batch.length} events produced while the group was stopped`,
            next: 'do not seek or reset offsets at start: a group with committed offsets resumes from them by itself',
          });
        }
        context.trace(`projector-d projected the ${batch.length} new events and none of the ${before.size} earlier ones`);
        await restarted.stop();
      },
    },
  ],
});
