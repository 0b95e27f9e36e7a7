import { environmentError, type CliError } from '../../errors.js';
import type { BrokerName } from '../endpoints.js';
import { composeLabels, type Engine, type EngineState } from './detect.js';
import { PUBLISHED_PORTS } from './project.js';

// Messages for the ways a container engine fails a learner, each with the command that fixes it.

export const ENGINE_TITLE: Record<Engine, string> = { docker: 'Docker', podman: 'Podman' };

export const DOCKER_NOT_RUNNING_FIX = 'start Docker Desktop, or on Linux run `sudo systemctl start docker`';
export const PODMAN_NOT_RUNNING_FIX = 'run `podman machine start` (macOS, Windows), or on Linux check `podman info`';

export const INSTALL_ENGINE: Record<Engine, string> = {
  docker: 'install Docker Desktop (macOS, Windows) or Docker Engine with the Compose plugin (Linux)',
  podman: 'install Podman and podman-compose',
};

const INSTALL_COMPOSE: Record<Engine, string> = {
  docker: 'install the Compose plugin (Docker Desktop includes it; on Debian or Ubuntu: `sudo apt-get install docker-compose-plugin`)',
  podman: 'install podman-compose (`pip install podman-compose`, `brew install podman-compose`, or your distribution\'s package)',
};

const NATIVE_INSTEAD = 'or run the brokers without containers: `mq-course up --runtime native`';

export function engineProblem(state: EngineState): CliError {
  const title = ENGINE_TITLE[state.engine];
  if (!state.installed) {
    return environmentError(`${title} is not installed: no \`${state.engine}\` command on PATH.`, `${INSTALL_ENGINE[state.engine]}, ${NATIVE_INSTEAD}`);
  }
  const fix = state.engine === 'docker' ? DOCKER_NOT_RUNNING_FIX : PODMAN_NOT_RUNNING_FIX;
  return environmentError(
    `${title} is installed but its engine is not running (\`${state.engine} info\`: ${state.error ?? 'no response'}).`,
    `${fix}, then run the command again; ${NATIVE_INSTEAD}`,
  );
}

export function composeMissing(engine: Engine): CliError {
  const tried = composeLabels(engine).map((label) => `\`${label}\``).join(' and ');
  return environmentError(`${ENGINE_TITLE[engine]} is running but no compose command was found (tried ${tried}).`, `${composeFixFor(engine)}, ${NATIVE_INSTEAD}`);
}

export function composeFixFor(engine: Engine): string {
  return INSTALL_COMPOSE[engine];
}

/** Returns the fix for a port that another program listens on, for messages and `doctor`. */
export function portHolderFix(port: number): string {
  return (
    `find the program with \`lsof -nP -iTCP:${port} -sTCP:LISTEN\` (Linux, macOS) or \`netstat -ano | findstr :${port}\` (Windows) and stop it; ` +
    'if it is a broker you want to keep, use it instead: `mq-course up --runtime external`'
  );
}

const PORT_TAKEN = /port is already allocated|address already in use/i;
// The host side of a binding, e.g. "127.0.0.1:5672" or "[::1]:9092"; the port is group 1.
const HOST_PORT = /(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]*\]|localhost)?:(\d{1,5})\b/g;

/**
 * Finds the host port in compose's "port taken" error, which engines word differently:
 * Docker "Bind for 127.0.0.1:5672 failed: port is already allocated", Docker Desktop
 * "exposing port TCP 127.0.0.1:9092 -> 0.0.0.0:0: listen tcp 127.0.0.1:9092: bind: address
 * already in use", Podman "rootlessport listen tcp 127.0.0.1:5672: bind: address already in use".
 */
export function findTakenPort(output: string): number | undefined {
  for (const line of output.split(/\r?\n/)) {
    const phrase = PORT_TAKEN.exec(line);
    if (!phrase) continue;
    const ports = [...line.slice(0, phrase.index).matchAll(HOST_PORT)].map((match) => Number(match[1])).filter((port) => port > 0);
    if (ports.length > 0) return ports[ports.length - 1];
  }
  return undefined;
}

export function brokerForPort(port: number): BrokerName | undefined {
  return (Object.keys(PUBLISHED_PORTS) as BrokerName[]).find((broker) => PUBLISHED_PORTS[broker].includes(port));
}

/** Builds the error for a port conflict. `holder` describes a broker found responding on it, if any. */
export function portTaken(port: number, holder?: string): CliError {
  const broker = brokerForPort(port);
  const container = broker ? `the ${broker} container` : 'a container';
  const found = holder ? ` ${holder} already responds there.` : '';
  return environmentError(`Port ${port} on 127.0.0.1 is already in use, so ${container} cannot publish it.${found}`, portHolderFix(port));
}

export function isEngineDown(output: string): boolean {
  return /Cannot connect to the Docker daemon|Is the docker daemon running|Cannot connect to Podman/i.test(output);
}
