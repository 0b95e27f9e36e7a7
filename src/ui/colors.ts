import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour only on a TTY and never with NO_COLOR (https://no-color.org). FORCE_COLOR still wins,
 * as chalk documents, so CI logs can opt in.
 */
export function makeColors(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return new Chalk({ level: 0 });
  if (env.FORCE_COLOR !== undefined) return new Chalk();
  return new Chalk({ level: stream.isTTY ? 1 : 0 });
}

export const colors = makeColors();
