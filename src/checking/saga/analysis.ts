// Reading a saga's recorded trace: which commands were sent, which succeeded, what was undone.
import { COMMANDS, COMPENSATIONS, stepUndoneBy, type TraceLine } from './protocol.js';

/** Returns the index of the first line where the two traces differ, or -1 when they are equal. */
export function firstDifference(expected: string[], actual: string[]): number {
  const length = Math.max(expected.length, actual.length);
  for (let index = 0; index < length; index++) if (expected[index] !== actual[index]) return index;
  return -1;
}

/** Returns the commands of a trace, without same-id resends of work already done. */
export function commandsIn(entries: TraceLine[]): TraceLine[] {
  return entries.filter((entry) => entry.kind === 'command' && entry.note !== 'again');
}

/** Returns whether the participant replied success to `command` at least once. */
export function succeeded(entries: TraceLine[], command: string): boolean {
  const success = COMMANDS[command as keyof typeof COMMANDS]?.success;
  return entries.some((entry) => entry.kind === 'reply' && entry.type === success);
}

/** Returns the compensation commands in the order they were first sent, e.g. ["VoidPayment", "ReleaseInventory"]. */
export function compensationOrder(entries: TraceLine[]): string[] {
  const order: string[] = [];
  for (const entry of commandsIn(entries)) if (COMPENSATIONS.has(entry.type) && !order.includes(entry.type)) order.push(entry.type);
  return order;
}

/** Returns the compensations of steps that never succeeded in this trace (the failed step, or steps never run). */
export function compensationsOfUnfinishedSteps(entries: TraceLine[]): string[] {
  return compensationOrder(entries).filter((compensation) => !succeeded(entries, stepUndoneBy(compensation)!.command));
}

/** Returns the commands that got a failure reply and were never sent again afterwards. */
export function failuresNotRetried(entries: TraceLine[]): string[] {
  const abandoned: string[] = [];
  entries.forEach((entry, index) => {
    const spec = Object.entries(COMMANDS).find(([, value]) => value.failure === entry.type);
    if (entry.kind !== 'reply' || !spec) return;
    const [command] = spec;
    const retried = entries.slice(index + 1).some((later) => later.kind === 'command' && later.type === command);
    if (!retried && !abandoned.includes(command)) abandoned.push(command);
  });
  return abandoned;
}

/** Returns the distinct command ids seen for one command type. */
export function commandIdsOf(entries: TraceLine[], command: string): string[] {
  return [...new Set(entries.filter((entry) => entry.kind === 'command' && entry.type === command).map((entry) => entry.commandId!))];
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
