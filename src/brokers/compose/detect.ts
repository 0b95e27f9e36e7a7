import { runCommand } from './exec.js';
import { PROJECT_NAME } from './project.js';

export type Engine = 'docker' | 'podman';
export const ENGINES: readonly Engine[] = ['docker', 'podman'];

/** One way to run compose: the program and the arguments that come before compose's own. */
export interface ComposeTool {
  engine: Engine;
  file: string;
  baseArgs: string[];
  /** The command as the user types it, e.g. "docker compose". */
  label: string;
  version?: string;
}

export interface EngineState {
  engine: Engine;
  /** The client program is on PATH. */
  installed: boolean;
  /** The engine responded to `info`, which a client binary alone does not prove. */
  running: boolean;
  version?: string;
  error?: string;
}

// Detection order within each engine: the compose plugin first, then the standalone program.
const FLAVOURS: Record<Engine, { file: string; baseArgs: string[] }[]> = {
  docker: [
    { file: 'docker', baseArgs: ['compose'] },
    { file: 'docker-compose', baseArgs: [] },
  ],
  podman: [
    { file: 'podman', baseArgs: ['compose'] },
    { file: 'podman-compose', baseArgs: [] },
  ],
};

// Go templates for the server version: `docker info` prints an empty string when the daemon is down.
const VERSION_FORMAT: Record<Engine, string> = { docker: '{{.ServerVersion}}', podman: '{{.Version.Version}}' };

const VERSION_TIMEOUT_MS = 10_000;
// Docker Desktop can take several seconds to respond while it starts. 20 s is an estimate that
// leaves room for a slow start without hanging on an engine that is stuck.
const INFO_TIMEOUT_MS = 20_000;

/** Builds the argument list for one compose subcommand on our project: `-f <file> -p mq-course <args>`. */
export function composeArgs(tool: ComposeTool, file: string, args: string[]): string[] {
  return [...tool.baseArgs, '-f', file, '-p', PROJECT_NAME, ...args];
}

export function composeLabels(engine: Engine): string[] {
  return FLAVOURS[engine].map((flavour) => [flavour.file, ...flavour.baseArgs].join(' '));
}

/** Finds the first compose flavour of this engine that responds to `version`. */
export async function findComposeTool(engine: Engine, env: NodeJS.ProcessEnv): Promise<ComposeTool | undefined> {
  for (const flavour of FLAVOURS[engine]) {
    const result = await runCommand(flavour.file, [...flavour.baseArgs, 'version'], env, VERSION_TIMEOUT_MS);
    if (!result.ok) continue;
    const label = [flavour.file, ...flavour.baseArgs].join(' ');
    return { engine, ...flavour, label, version: firstLine(result.stdout) };
  }
  return undefined;
}

/** Asks the engine itself whether it runs, with `docker info` or `podman info`. */
export async function engineState(engine: Engine, env: NodeJS.ProcessEnv): Promise<EngineState> {
  const result = await runCommand(engine, ['info', '--format', VERSION_FORMAT[engine]], env, INFO_TIMEOUT_MS);
  if (result.notFound) return { engine, installed: false, running: false, error: `no \`${engine}\` command on PATH` };
  const version = firstLine(result.stdout).replace(/^"|"$/g, '');
  if (result.ok && version) return { engine, installed: true, running: true, version };
  const error = result.timedOut ? `\`${engine} info\` did not respond within ${INFO_TIMEOUT_MS / 1000} s` : firstLine(result.stderr) || `\`${engine} info\` exited with code ${result.exitCode}`;
  return { engine, installed: true, running: false, error };
}

/**
 * Returns the first engine, in the order docker, podman, that has a compose flavour and responds.
 * Returns undefined when none does, and the caller then falls back to the native runtime.
 */
export async function detectEngine(env: NodeJS.ProcessEnv): Promise<Engine | undefined> {
  for (const engine of ENGINES) {
    if (!(await findComposeTool(engine, env))) continue;
    if ((await engineState(engine, env)).running) return engine;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '';
}
