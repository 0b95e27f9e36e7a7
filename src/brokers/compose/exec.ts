import { execa } from 'execa';

export interface CommandResult {
  ok: boolean;
  /** True when the program is not installed (spawn failed with ENOENT). */
  notFound: boolean;
  timedOut: boolean;
  exitCode?: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one engine or compose command without a shell, so it behaves the same on Windows. A
 * failure comes back as the result (execa's `reject: false`), and callers turn it into a
 * message that names the fix.
 */
export async function runCommand(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CommandResult> {
  const result = await execa(file, args, { env, reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return {
    ok: !result.failed,
    notFound: result.code === 'ENOENT',
    timedOut: Boolean(result.timedOut),
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/**
 * Runs a long command (an image pull, `logs --follow`) and hands each output line to `onLine`
 * as it arrives, stdout and stderr interleaved. Resolves once the child has exited.
 */
export async function streamCommand(file: string, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<CommandResult> {
  const child = execa(file, args, { env, reject: false, stdin: 'ignore', all: true, buffer: false });
  for await (const line of child.iterable({ from: 'all' })) onLine(String(line));
  const result = await child;
  return {
    ok: !result.failed,
    notFound: result.code === 'ENOENT',
    timedOut: false,
    exitCode: result.exitCode,
    stdout: '',
    stderr: '',
  };
}
