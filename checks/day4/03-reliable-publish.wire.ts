// Diagnoses of the reliable-publish check, from what the checker's proxy saw on the program's
// connections (confirm mode, mandatory, message ids, acks, nacks and returns) and what arrived.
import { isDeepStrictEqual } from 'node:util';
import { fail } from '../../src/checking/failure.js';
import type { ProxiedConnection, PublishRecord } from '../../src/checking/faults/amqp-proxy.js';
import type { ExitInfo, LearnerProcess } from '../../src/checking/learner.js';
import type { ReceivedMessage } from '../../src/checking/rabbit.js';

export const mistakes = {
  exitBeforeConfirms: 'exit-before-confirms',
  publishBooleanAsConfirm: 'publish-boolean-as-confirm',
  ignoredNack: 'ignored-nack',
  ignoredReturn: 'ignored-return',
  transientMessage: 'transient-message',
  newIdOnRetry: 'new-id-on-retry',
  noRetry: 'no-retry',
} as const;

/** Publish attempts per event that the check allows (MAX_ATTEMPTS), the first one included. */
export const MAX_ATTEMPTS = 3;

export interface Envelope {
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  data: Record<string, unknown>;
}

/** One run of publish-batch and what the proxy saw on its connections. */
export interface BatchRun {
  program: LearnerProcess;
  exit: ExitInfo;
  events: Envelope[];
  connections: ProxiedConnection[];
  publishes: PublishRecord[];
}

export function describeWire(connections: ProxiedConnection[]): string {
  return connections
    .map((connection, index) => {
      const publishes = connection.publishes;
      const count = (outcome: string) => publishes.filter((record) => record.outcome === outcome).length;
      const parts = [
        publishes.length === 0 ? 'no publishes' : `${publishes.length} publishes${connection.confirmChannels.size ? '' : ' without confirm mode'}`,
        `${count('ack')} acks`,
        `${count('nack')} nacks`,
        `${connection.returns.length} returns`,
      ];
      if (connection.brokerCloseText) parts.push(`closed by the broker (${connection.brokerCloseText})`);
      if (connection.unconfirmedAtClientClose?.length) parts.push(`${connection.unconfirmedAtClientClose.length} still unconfirmed when the program closed it`);
      return `connection ${index + 1}: ${parts.join(', ')}`;
    })
    .join('; ');
}

export const idsOf = (records: PublishRecord[]) => [...new Set(records.map((record) => record.messageId ?? '(no message id)'))];
export const short = (ids: string[], max = 6) => (ids.length > max ? `${ids.slice(0, max).join(', ')}, ... (${ids.length} in all)` : ids.join(', '));

/**
 * Fails when the program cannot have known its publishes were confirmed: no confirm mode on the
 * wire, or it closed a connection (or exited) while confirms were still on their way. Connections
 * that the broker closed are left out: their missing confirms are the fault under test.
 */
export function failIfNotWaitingForConfirms(run: BatchRun, missing: string[] = []): void {
  const withoutConfirms = run.publishes.filter((record) => record.deliveryTag === undefined);
  if (run.publishes.length && withoutConfirms.length === run.publishes.length) {
    // Seen on RabbitMQ 3.10.8 with amqplib 2.3.1: messages published on a plain channel right
    // before connection.close() can be dropped by the broker, although publish() returned true.
    const lost = missing.length ? ` Here ${short(missing)} never reached the queue at all, although publish() returned true for each.` : '';
    fail(`${run.program.name} publishes on a channel without publisher confirms, so it cannot know whether the broker took a message. The true that channel.publish() returns only means the message fit in the client's write buffer.${lost}`, {
      mistake: mistakes.publishBooleanAsConfirm,
      expected: 'confirm.select on the publishing channel, then a broker ack for every event before exit 0',
      actual: `${run.publishes.length} publishes, no confirm mode`,
      next: 'publish on connection.createConfirmChannel() and count an event as delivered only when its publish callback runs without an error (or await channel.waitForConfirms())',
    });
  }
  const early = run.connections.filter((connection) => connection.brokerCloseText === undefined);
  const unconfirmed = early.flatMap((connection) => connection.unconfirmedAtClientClose ?? []);
  if (unconfirmed.length) {
    const closedAt = Math.min(...early.filter((connection) => connection.unconfirmedAtClientClose?.length).map((connection) => connection.clientClosedAt!));
    fail(`${run.program.name} closed its connection while the broker's confirms for ${short(idsOf(unconfirmed))} were still on their way: it did not wait for them. A timer, or the end of the publish loop, says nothing about what the broker took.`, {
      mistake: mistakes.exitBeforeConfirms,
      expected: 'every publish callback (ack or nack) before closing the connection and choosing the exit code',
      actual: `closed ${closedAt - unconfirmed[0].at} ms after publishing ${unconfirmed[0].messageId ?? 'an event'}, with ${unconfirmed.length} publish(es) of ${idsOf(unconfirmed).length} event(s) unconfirmed; exit code ${run.exit.code ?? run.exit.signal}`,
      next: 'wait for every publish callback (or await channel.waitForConfirms()) before closing and exiting; no setTimeout or sleep decides when the batch is done',
    });
  }
}

/** Fails when a message on the wire or in the inbox carries an id that no input event has. */
export function failIfNewIds(run: BatchRun, arrived: ReceivedMessage[]): void {
  const known = new Set(run.events.map((event) => event.id));
  const wireIds = run.publishes.map((record) => record.messageId).filter((id): id is string => id !== undefined && !known.has(id));
  const bodyIds = arrived.map((message) => (message.body as { id?: string })?.id).filter((id): id is string => typeof id === 'string' && !known.has(id));
  const strangers = [...new Set([...wireIds, ...bodyIds])];
  if (strangers.length === 0) return;
  fail(`${run.program.name} published ids that are not in its input: ${short(strangers, 2)}. A retry must re-send the same event with the same id; with a new id, a consumer cannot tell the duplicate from a new event and handles it twice.`, {
    mistake: mistakes.newIdOnRetry,
    expected: `message ids and event ids from the input only: ${short([...known])}`,
    actual: `${strangers.length} new id(s), e.g. ${short(strangers, 2)}`,
    next: 'keep each event object as read from stdin, and republish it unchanged with messageId: event.id on every attempt',
  });
}

/** Checks exit 2 and the `failed` report after a step where some events cannot be delivered. */
export function expectReportedFailures(run: BatchRun, expectedFailed: string[]): void {
  if (run.exit.code !== 2) {
    fail(`${run.program.name} exited with ${run.exit.code ?? run.exit.signal}, but ${short(expectedFailed)} could not be delivered.`, {
      expected: `exit code 2 after ${MAX_ATTEMPTS} attempts per undelivered event`,
      next: 'read the output below; exit with 2 once an event has failed MAX_ATTEMPTS attempts',
    });
  }
  const report = run.program.events.find((event) => event.event === 'failed');
  const listed = Array.isArray(report?.ids) ? (report.ids as unknown[]).map(String) : undefined;
  if (!listed) {
    fail(`${run.program.name} exited with 2 but did not report which events failed.`, {
      expected: `{"event":"failed","ids":[${expectedFailed.map((id) => `"${id}"`).join(',')}]} before exiting`,
      next: "call report('failed', { ids }) with the ids that were never confirmed, then exit with 2",
    });
  }
  if (!isDeepStrictEqual([...listed].sort(), [...expectedFailed].sort())) {
    fail(`${run.program.name} reported the wrong events as failed.`, {
      expected: expectedFailed.join(', '),
      actual: listed.join(', ') || '(none)',
      next: 'list exactly the events that never got an ack, and no confirmed ones',
    });
  }
  for (const id of expectedFailed) {
    const attempts = run.publishes.filter((record) => record.messageId === id).length;
    if (attempts === 1) {
      fail(`${run.program.name} published ${id} only once and gave up: a nack or a return calls for a retry of the same event, up to MAX_ATTEMPTS.`, {
        mistake: mistakes.noRetry,
        expected: `${MAX_ATTEMPTS} publishes of ${id} (MAX_ATTEMPTS=${MAX_ATTEMPTS})`,
        actual: '1 publish',
        next: 'collect the events that were not confirmed and publish them again, with the same id, until each has had MAX_ATTEMPTS attempts',
      });
    }
    if (attempts > MAX_ATTEMPTS) {
      fail(`${run.program.name} published ${id} ${attempts} times, more than MAX_ATTEMPTS (${MAX_ATTEMPTS}).`, { next: 'count the attempts per event, the first publish included, and stop at MAX_ATTEMPTS' });
    }
  }
}

