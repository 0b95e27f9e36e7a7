import { usageError } from '../errors.js';
import type { Runtime, RuntimeName } from './runtime.js';
import type { BrokerName } from './endpoints.js';
import { BROKERS } from './endpoints.js';
import type { Workspace } from '../workspace/config.js';

export const RUNTIME_NAMES: readonly RuntimeName[] = ['docker', 'podman', 'native', 'external'];

/** Loads one runtime module on demand, so commands that do not start brokers never load them. */
export async function loadRuntime(name: RuntimeName): Promise<Runtime> {
  switch (name) {
    case 'native':
      return (await import('./native/runtime.js')).nativeRuntime;
    case 'docker':
    case 'podman':
      return (await import('./compose/runtime.js')).composeRuntime(name);
    case 'external':
      return (await import('./external.js')).externalRuntime;
    default:
      throw usageError(`Unknown runtime "${String(name)}".`, `use one of: ${RUNTIME_NAMES.join(', ')}`);
  }
}

/** Picks the runtime: the flag, then the workspace config, then detection of a running engine. */
export async function chooseRuntime(flag: string | undefined, workspace: Workspace | undefined, env: NodeJS.ProcessEnv): Promise<RuntimeName> {
  const chosen = flag ?? env.MQ_COURSE_RUNTIME ?? workspace?.config.runtime;
  if (chosen) {
    if (!RUNTIME_NAMES.includes(chosen as RuntimeName)) {
      let source = `"runtime" in ${workspace?.root}/mq-course.json`;
      if (flag) source = '--runtime';
      else if (env.MQ_COURSE_RUNTIME) source = 'MQ_COURSE_RUNTIME';
      throw usageError(`Unknown runtime "${chosen}" (from ${source}).`, `use one of: ${RUNTIME_NAMES.join(', ')}`);
    }
    return chosen as RuntimeName;
  }
  const { detectEngine } = await import('./compose/detect.js');
  return (await detectEngine(env)) ?? 'native';
}

export function parseBrokerArgument(value: string | undefined): BrokerName[] {
  if (value === undefined) return [...BROKERS];
  if ((BROKERS as readonly string[]).includes(value)) return [value as BrokerName];
  throw usageError(`Unknown broker "${value}".`, 'use rabbitmq or kafka, or leave it out for both');
}
