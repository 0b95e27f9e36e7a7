import { environmentError } from '../../errors.js';
import type { Io } from '../../ui/io.js';
import { composeArgs, engineState, type ComposeTool, type Engine } from './detect.js';
import { engineProblem, isEngineDown } from './diagnose.js';
import { runCommand, streamCommand } from './exec.js';
import { readServiceImages } from './project.js';

const INSPECT_TIMEOUT_MS = 15_000;

export const PULL_HINT = 'run `mq-course up --pull` while online; later runs work offline';

/** Returns the pinned images of these services that are not on this machine. */
export async function missingImages(engine: Engine, file: string, services: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const images = readServiceImages(file);
  const missing: string[] = [];
  for (const service of services) {
    const image = images.get(service);
    if (!image) continue;
    const result = await runCommand(engine, ['image', 'inspect', image], env, INSPECT_TIMEOUT_MS);
    if (result.ok) continue;
    if (isEngineDown(result.stderr)) throw engineProblem(await engineState(engine, env));
    missing.push(image);
  }
  return missing;
}

/**
 * Makes sure the images are present before `compose up`, which would otherwise try to download
 * them and fail slowly offline. With `pull` it downloads them first, showing compose's progress.
 */
export async function ensureImages(tool: ComposeTool, file: string, services: string[], pull: boolean | undefined, io: Io): Promise<void> {
  if (pull) {
    io.err(`Pulling the images of ${services.join(', ')} with ${tool.label} ...`);
    const result = await streamCommand(tool.file, composeArgs(tool, file, ['pull', ...services]), io.env, (line) => io.err(`  ${line}`));
    if (!result.ok) {
      throw environmentError(`\`${tool.label} pull\` failed with exit code ${result.exitCode ?? 'unknown'} (its output is above).`, 'check the network connection, then run `mq-course up --pull` again');
    }
    return;
  }
  const missing = await missingImages(tool.engine, file, services, io.env);
  if (missing.length === 1) {
    throw environmentError(`Image ${missing[0]} is not on this machine, and \`mq-course up\` downloads images only with --pull.`, PULL_HINT);
  }
  if (missing.length > 1) {
    throw environmentError(`Images ${missing.join(', ')} are not on this machine, and \`mq-course up\` downloads images only with --pull.`, PULL_HINT);
  }
}
