// Timing evidence in a saga trace: when a command went out relative to the commands before it.
import type { TraceEntry } from './protocol.js';

// Timers fire within a few milliseconds in Node, and the command they send needs a few more to
// reach the checker. 250 ms absorbs both on a busy machine and still separates 1 s timers from 0.35 s replies.
const TIMER_MATCH_MS = 250;

export interface EarlyCommand {
  /** The command that went out when the trace expected something else. */
  entry: TraceEntry;
  /** The command the saga was waiting for when `entry` went out. */
  pending: TraceEntry;
  /** Milliseconds between `pending` and `entry`. */
  sincePending: number;
  /** An earlier command that already had its reply and whose timeout ended when `entry` went out. */
  staleTimerOf?: TraceEntry;
}

/** Describes the unexpected command at `index` of a trace, or undefined when that entry is no command. */
export function explainUnexpectedCommand(actual: TraceEntry[], index: number, timeoutMs: number): EarlyCommand | undefined {
  const entry = actual[index];
  if (!entry || entry.kind !== 'command') return undefined;
  const before = actual.slice(0, index);
  const commands = before.filter((candidate) => candidate.kind === 'command');
  const pending = commands.at(-1);
  if (!pending) return undefined;
  const answered = (command: TraceEntry) => before.some((reply) => reply.kind === 'reply' && reply.commandId === command.commandId && reply.at >= command.at);
  const staleTimerOf = commands.find((command) => answered(command) && Math.abs(entry.at - (command.at + timeoutMs)) <= TIMER_MATCH_MS);
  return { entry, pending, sincePending: entry.at - pending.at, staleTimerOf };
}

/** Returns the first command of the trace sent after `after`, if any. */
export function nextCommandAfter(actual: TraceEntry[], after: TraceEntry): TraceEntry | undefined {
  return actual.find((entry) => entry.kind === 'command' && entry.at >= after.at && entry !== after && actual.indexOf(entry) > actual.indexOf(after));
}
