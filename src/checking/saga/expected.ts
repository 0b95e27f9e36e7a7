// The trace a correct orchestrator produces for a participant script, so checks compare whole
// command/reply sequences instead of hand-written expectations.
import { COMMANDS, FORWARD_STEPS, OUTCOME_TYPES, type CommandType, type TraceLine } from './protocol.js';

/**
 * A participant's handling of one attempt at a command:
 * - ok: does it and replies success;
 * - twice: does it, replies success, and sends that reply again once the saga's next command (or
 *   its outcome) has arrived, as a stale copy (see SagaScript.duplicateWindowMs);
 * - fail: does nothing and replies failure;
 * - silent: does it, but the reply is lost;
 * - late: does it, and replies only after the saga's outcome is published;
 * - hold: does it, and replies when the check releases the reply (to crash the orchestrator first).
 */
export type Behaviour = 'ok' | 'fail' | 'silent' | 'late' | 'twice' | 'hold';

export interface SagaScript {
  /** The behaviour of each attempt at a command type, in order; attempts past the list are ok. */
  attempts?: Partial<Record<CommandType, Behaviour[]>>;
  /** Milliseconds a participant waits before each reply; a function picks the delay per reply. */
  replyDelayMs?: number | ((command: CommandType) => number);
  /**
   * Milliseconds the participant delays its reply to the command that follows a "twice" reply,
   * counted from the broker's confirm of the duplicate (default 0). Within this window the saga
   * still waits for that command, so an orchestrator that takes the stale duplicate for its reply
   * sends its next command before the real reply exists, and the trace shows that as long as the
   * orchestrator reacts within the window.
   */
  duplicateWindowMs?: number;
}

export interface ExpectOptions {
  /** Whether the orchestrator has step timeouts (exercise 11); without them a silent step waits forever. */
  timeouts: boolean;
}

/**
 * Returns the trace of a correct orchestrator, which sends one command at a time.
 * - A failure at or before the pivot undoes the completed steps, newest first. A timed-out step
 *   counts as completed, because it may have run.
 * - After the pivot, and in compensations, a failed command is retried until it succeeds.
 * - A resend keeps its commandId, so a participant that already did the work repeats its
 *   success reply (both lines marked "again").
 * The trace stops where the saga would wait forever.
 */
export function expectedTrace(sagaId: string, script: SagaScript, options: ExpectOptions): TraceLine[] {
  const lines: TraceLine[] = [];
  const late: TraceLine[] = [];
  // The copy of a "twice" reply, which the participant sends after the saga's next command.
  let duplicate: TraceLine | undefined;
  const used = new Map<CommandType, number>();
  const done = new Set<CommandType>();

  const command = (type: CommandType, note?: TraceLine['note']): TraceLine => ({ kind: 'command', party: COMMANDS[type].participant, type, sagaId, note });
  const reply = (type: CommandType, ok: boolean, note?: TraceLine['note']): TraceLine => ({ kind: 'reply', party: COMMANDS[type].participant, type: ok ? COMMANDS[type].success : COMMANDS[type].failure, sagaId, note });

  const pushCommand = (type: CommandType, note?: TraceLine['note']): void => {
    lines.push(command(type, note));
    if (duplicate) lines.push(duplicate);
    duplicate = undefined;
  };

  // Plays one attempt; 'stuck' means a correct orchestrator without timeouts would wait forever.
  const attempt = (type: CommandType): 'ok' | 'fail' | 'timeout' | 'stuck' => {
    if (done.has(type)) {
      pushCommand(type, 'again');
      lines.push(reply(type, true, 'again'));
      return 'ok';
    }
    const index = used.get(type) ?? 0;
    used.set(type, index + 1);
    const behaviour = script.attempts?.[type]?.[index] ?? 'ok';
    pushCommand(type);
    if (behaviour === 'fail') {
      lines.push(reply(type, false));
      return 'fail';
    }
    done.add(type);
    if (behaviour === 'ok' || behaviour === 'hold') {
      lines.push(reply(type, true));
      return 'ok';
    }
    if (behaviour === 'twice') {
      lines.push(reply(type, true));
      duplicate = reply(type, true, 'duplicate');
      return 'ok';
    }
    if (behaviour === 'late') late.push(reply(type, true, 'late'));
    return options.timeouts ? 'timeout' : 'stuck';
  };

  const finish = (outcome: TraceLine): TraceLine[] => [...lines, outcome, ...(duplicate ? [duplicate] : []), ...late];

  for (const [index, step] of FORWARD_STEPS.entries()) {
    for (;;) {
      const result = attempt(step.command);
      if (result === 'ok') break;
      if (result === 'stuck') return lines;
      if (step.retriable) continue;

      // Failed at or before the pivot: undo newest first. A failure reply means the step did
      // nothing; a timeout means it may have run, so it is undone as well.
      const completed = FORWARD_STEPS.slice(0, result === 'timeout' ? index + 1 : index);
      for (const undone of [...completed].reverse()) {
        if (!undone.compensation) continue;
        for (;;) {
          const undo = attempt(undone.compensation);
          if (undo === 'ok') break;
          if (undo === 'stuck') return lines;
        }
      }
      return finish({ kind: 'outcome', party: 'outcome', type: OUTCOME_TYPES.rejected, sagaId, failedStep: step.command });
    }
  }
  return finish({ kind: 'outcome', party: 'outcome', type: OUTCOME_TYPES.approved, sagaId });
}
