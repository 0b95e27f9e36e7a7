import { runCommand } from './exec.js';
import type { Engine } from './detect.js';
import { PROJECT_NAME } from './project.js';

export interface ContainerInfo {
  name: string;
  /** The engine's state word: running, exited, created, restarting, ... */
  state: string;
}

const PS_TIMEOUT_MS = 15_000;

/**
 * Lists the containers of one service in our compose project, found by the labels that Docker
 * Compose, docker-compose and podman-compose all set. Returns undefined when the engine does not
 * respond, so callers can tell "no container" from "cannot tell".
 */
export async function serviceContainers(engine: Engine, service: string, env: NodeJS.ProcessEnv): Promise<ContainerInfo[] | undefined> {
  const args = [
    'ps',
    '--all',
    '--filter',
    `label=com.docker.compose.project=${PROJECT_NAME}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.Names}} {{.State}}',
  ];
  const result = await runCommand(engine, args, env, PS_TIMEOUT_MS);
  if (!result.ok) return undefined;
  return result.stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name, state = 'unknown'] = line.split(/\s+/);
      return { name, state: state.toLowerCase() };
    });
}

/**
 * Stops containers (the engine waits 10 s for a clean shutdown before it kills), then removes
 * them with their anonymous volumes, so the next `up` starts an empty broker.
 */
export async function removeContainers(engine: Engine, names: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  if (names.length === 0) return true;
  await runCommand(engine, ['stop', ...names], env, 60_000);
  const result = await runCommand(engine, ['rm', '--force', '--volumes', ...names], env, 60_000);
  return result.ok;
}
