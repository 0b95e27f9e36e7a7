import { makeColors } from './colors.js';
import type { ChalkInstance } from 'chalk';

/** The output streams of a command. Commands never touch process.stdout directly, so tests can capture them. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when both stdin and stdout are terminals: prompts and spinners are allowed. */
  interactive: boolean;
  colors: ChalkInstance;
  env: NodeJS.ProcessEnv;
}

export function processIo(env: NodeJS.ProcessEnv = process.env): Io {
  // A reader that goes away (`mq-course check day4 | head`) must not crash a run before its teardown.
  const closed = new Set<NodeJS.WriteStream>();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed.add(stream);
    });
  }
  const write = (stream: NodeJS.WriteStream, text: string) => {
    if (!closed.has(stream)) stream.write(text.endsWith('\n') ? text : text + '\n');
  };
  return {
    out: (text) => write(process.stdout, text),
    err: (text) => write(process.stderr, text),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && env.CI !== 'true',
    colors: makeColors(process.stdout, env),
    env,
  };
}

/** Collects output in memory; used by tests that call a command function directly. */
export function memoryIo(env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    interactive: false,
    colors: makeColors({ isTTY: false } as NodeJS.WriteStream, { NO_COLOR: '1' }),
    env,
  };
}
