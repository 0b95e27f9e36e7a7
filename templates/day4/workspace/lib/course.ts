// Helpers shared by every exercise. The checker reads the JSON lines that report() prints.
import { randomUUID } from 'node:crypto';

/** Prints one event as a JSON line on stdout, e.g. {"event":"received","id":"t-1"}. */
export function report(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
}

/**
 * Kills this process on the spot (SIGKILL: no finally blocks, no exit handlers) when the
 * environment variable CRASH_AT equals `label`. The checker uses it to crash a program at an
 * exact point; with CRASH_AT unset it does nothing.
 */
export function crashPoint(label: string): void {
  if (process.env.CRASH_AT !== label) return;
  report('crash', { label });
  process.kill(process.pid, 'SIGKILL');
}

/** Reads an environment variable, with a default for running the program by hand. */
export function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`The environment variable ${name} is not set.`);
  return value;
}

/** The event envelope every exercise uses. A re-sent duplicate keeps its id. */
export interface Envelope<T = unknown> {
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  data: T;
}

export function envelope<T>(type: string, source: string, subject: string, data: T, id: string = randomUUID()): Envelope<T> {
  return { id, type, source, time: new Date().toISOString(), subject, data };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
