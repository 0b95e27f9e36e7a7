import type { RuntimeName } from '../runtime.js';
import { ENGINES, engineState, findComposeTool, type Engine } from './detect.js';
import { composeFixFor, DOCKER_NOT_RUNNING_FIX, ENGINE_TITLE, INSTALL_ENGINE, PODMAN_NOT_RUNNING_FIX } from './diagnose.js';
import { missingImages, PULL_HINT } from './images.js';
import { readServiceImages, SERVICES } from './project.js';

// The container-engine part of `mq-course doctor`.

/** One line of the doctor report: ok and fail count, info only informs. */
export interface CheckResult {
  status: 'ok' | 'fail' | 'info';
  text: string;
  fix?: string;
}

/**
 * Checks Docker and Podman: whether each engine responds and which compose flavour it has, and,
 * for the engine the runtime uses, whether the pinned images are present. An engine the runtime
 * does not use is reported for information only.
 */
export async function engineChecks(runtime: RuntimeName, composeFile: string, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const engine of ENGINES) {
    const needed = runtime === engine;
    const title = ENGINE_TITLE[engine];
    const state = await engineState(engine, env);
    const tool = state.installed ? await findComposeTool(engine, env) : undefined;
    const note = needed ? '' : ` (not needed: the runtime is ${runtime})`;

    if (!state.installed) {
      results.push({ status: needed ? 'fail' : 'info', text: `${title} is not installed${note}`, fix: needed ? INSTALL_ENGINE[engine] : undefined });
      continue;
    }
    if (!state.running) {
      const fix = engine === 'docker' ? DOCKER_NOT_RUNNING_FIX : PODMAN_NOT_RUNNING_FIX;
      results.push({ status: needed ? 'fail' : 'info', text: `${title} is installed but its engine is not running: ${state.error}${note}`, fix: needed ? fix : undefined });
    } else {
      results.push({ status: needed ? 'ok' : 'info', text: `${title} engine ${state.version} is running${note}` });
    }
    if (tool) {
      results.push({ status: needed ? 'ok' : 'info', text: `${title} compose: \`${tool.label}\` (${tool.version})` });
    } else {
      results.push({ status: needed ? 'fail' : 'info', text: `${title} has no compose command${note}`, fix: needed ? composeFixFor(engine) : undefined });
    }
    if (needed && state.running) results.push(await imagesCheck(engine, composeFile, env));
  }
  return results;
}

async function imagesCheck(engine: Engine, composeFile: string, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const services = Object.values(SERVICES);
  try {
    const missing = await missingImages(engine, composeFile, services, env);
    if (missing.length > 0) return { status: 'fail', text: `images missing locally: ${missing.join(', ')}`, fix: PULL_HINT };
    const images = [...readServiceImages(composeFile).values()];
    return { status: 'ok', text: `images present locally: ${images.join(', ')}` };
  } catch (error) {
    return { status: 'fail', text: `images could not be checked: ${(error as Error).message}`, fix: 'run `mq-course doctor` again once the engine responds' };
  }
}
