// Contract checks on what the orchestrator publishes: commands to the participants and outcome events.
import type { ConsumeMessage } from '../../clients/rabbitmq.js';
import { COMMANDS, OUTCOME_TYPES, isCommandType, type CommandType, type Participant } from './protocol.js';

/** A broken contract: what is wrong, on which message, and what to change. */
export interface ContractProblem {
  message: string;
  next: string;
}

export interface ValidCommand {
  sagaId: string;
  commandId: string;
  type: CommandType;
  replyTo: string;
}

export interface ValidOutcome {
  sagaId: string;
  type: string;
  failedStep?: string;
}

const ENVELOPE_NEXT = 'publish JSON.stringify(envelope(type, "create-order-saga", sagaId, { ...order, commandId }, commandId)) with envelope() from lib/course.ts';

function parse(message: ConsumeMessage): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(message.content.toString('utf8')) as unknown;
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const excerpt = (message: ConsumeMessage) => message.content.toString('utf8').slice(0, 160);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Returns the command in a message from the participant's queue, or the first contract problem:
 * not a JSON envelope, an unknown type, the wrong participant, a missing sagaId, commandId or
 * replyTo, or a commandId already used for another command type.
 */
export function describeCommandProblem(participant: Participant, queue: string, message: ConsumeMessage, typeOfCommandId: ReadonlyMap<string, CommandType>): { command: ValidCommand } | { problem: ContractProblem } {
  const body = parse(message);
  if (!body) return { problem: { message: `A message on ${queue} is not a JSON object: ${excerpt(message)}`, next: ENVELOPE_NEXT } };

  const type = body.type;
  if (!isCommandType(type)) {
    return {
      problem: {
        message: `A message on ${queue} has the type ${JSON.stringify(type)}, which is not a command of this saga: ${excerpt(message)}`,
        next: `use the envelope type for the command: one of ${Object.keys(COMMANDS).join(', ')}`,
      },
    };
  }

  const expectedParticipant = COMMANDS[type].participant;
  if (expectedParticipant !== participant) {
    return { problem: { message: `${type} arrived on the ${participant} queue ${queue}, but ${expectedParticipant} handles it.`, next: `send ${type} to the ${expectedParticipant.toUpperCase()}_QUEUE` } };
  }

  const data = (typeof body.data === 'object' && body.data !== null ? body.data : {}) as Record<string, unknown>;
  if (!nonEmpty(data.sagaId) || !nonEmpty(data.commandId)) {
    return {
      problem: {
        message: `A ${type} command has no ${nonEmpty(data.sagaId) ? 'data.commandId' : 'data.sagaId'}: ${excerpt(message)}`,
        next: 'put the saga id and a commandId in the envelope data: { ...order, commandId }',
      },
    };
  }

  const replyTo = message.properties.replyTo as unknown;
  if (!nonEmpty(replyTo)) {
    return { problem: { message: `The ${type} command of saga ${data.sagaId} has no replyTo property, so ${participant} cannot reply to it.`, next: 'publish each command with { replyTo: REPLY_QUEUE, correlationId: commandId }' } };
  }

  const earlier = typeOfCommandId.get(data.commandId);
  if (earlier && earlier !== type) {
    return {
      problem: {
        message: `The commandId ${data.commandId} was used for ${earlier} and again for ${type} (saga ${data.sagaId}). A participant would take the second for a resend of the first.`,
        next: 'give every command its own commandId (randomUUID()); only a resend of the same command keeps its id',
      },
    };
  }
  return { command: { sagaId: data.sagaId, commandId: data.commandId, type, replyTo } };
}

/** Returns the outcome event in a message from the outcome queue, or the first contract problem. */
export function describeOutcomeProblem(queue: string, message: ConsumeMessage): { outcome: ValidOutcome } | { problem: ContractProblem } {
  const body = parse(message);
  const types = Object.values(OUTCOME_TYPES) as string[];
  if (!body || !types.includes(body.type as string)) {
    return {
      problem: {
        message: `A message on the outcome queue ${queue} is not an ${types.join(' or ')} envelope: ${excerpt(message)}`,
        next: 'publish envelope("OrderApproved" or "OrderRejected", "create-order-saga", sagaId, { ...order, failedStep }) to OUTCOME_QUEUE',
      },
    };
  }
  const data = (typeof body.data === 'object' && body.data !== null ? body.data : {}) as Record<string, unknown>;
  if (!nonEmpty(data.sagaId)) return { problem: { message: `An ${String(body.type)} event has no data.sagaId: ${excerpt(message)}`, next: 'copy the order (with its sagaId) into the outcome event data' } };
  if (body.type === OUTCOME_TYPES.rejected && !nonEmpty(data.failedStep)) {
    return { problem: { message: `The OrderRejected event of saga ${data.sagaId} does not say which step failed: ${excerpt(message)}`, next: 'set data.failedStep to the command of the step that failed, e.g. "AuthorizePayment"' } };
  }
  return { outcome: { sagaId: data.sagaId, type: body.type as string, failedStep: body.type === OUTCOME_TYPES.rejected ? (data.failedStep as string) : undefined } };
}
