import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadDay } from '../course/catalog.js';
import { ExitCode, usageError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { installLearnerPackages, learnerPackageClosure } from '../scaffold/runtime-packages.js';
import { planWorkspace } from '../scaffold/workspace-files.js';
import { writePlan } from '../scaffold/write-plan.js';
import type { Io } from '../ui/io.js';
import { findWorkspace, type WorkspaceConfig } from '../workspace/config.js';

export interface InitOptions {
  cwd: string;
  dir?: string;
  yes?: boolean;
  withSolutions?: boolean;
  force?: boolean;
  runtime?: string;
  day?: string;
}

const DEFAULT_DIR = 'mq-course-day4';

/** Asks for what the flags left open; only on a terminal and without --yes. */
async function promptMissing(options: InitOptions, io: Io): Promise<{ dir: string; runtime?: WorkspaceConfig['runtime'] }> {
  let dir = options.dir;
  let runtime = options.runtime as WorkspaceConfig['runtime'];
  if (!io.interactive || options.yes) return { dir: dir ?? DEFAULT_DIR, runtime };

  const { input, select } = await import('@inquirer/prompts');
  dir ??= await input({ message: 'Folder for the course workspace', default: DEFAULT_DIR });
  const { detectEngine } = await import('../brokers/compose/detect.js');
  const detected = (await detectEngine(io.env)) ?? 'native';
  runtime ??= await select<NonNullable<WorkspaceConfig['runtime']>>({
    message: 'Where will your brokers run?',
    default: detected,
    choices: [
      { name: 'Docker (docker compose)', value: 'docker' },
      { name: 'Podman (podman compose)', value: 'podman' },
      { name: 'Installed on this machine (RabbitMQ; Kafka from Maven Central)', value: 'native' },
      { name: 'Somewhere else (brokers you already run)', value: 'external' },
    ],
  });
  return { dir, runtime };
}

/** Reads the config of a workspace already in `root`. A broken one counts as none, so init keeps the file or backs it up. */
function readExistingConfig(root: string): WorkspaceConfig | undefined {
  try {
    const existing = findWorkspace(root);
    return existing?.root === root ? existing.config : undefined;
  } catch {
    return undefined;
  }
}

export async function init(options: InitOptions, io: Io): Promise<number> {
  const day = loadDay(options.day ?? 'day4');
  const answers = await promptMissing(options, io);
  const root = path.resolve(options.cwd, answers.dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw usageError(`Cannot create the workspace in ${root}: a file with that name exists.`, 'choose another folder name');
  }
  mkdirSync(root, { recursive: true });

  const packages = learnerPackageClosure();
  const existingConfig = readExistingConfig(root);
  const files = planWorkspace({ day, withSolutions: Boolean(options.withSolutions), runtime: answers.runtime, packages, mqCourseVersion: packageVersion(), existingConfig });
  const outcome = writePlan(root, files, Boolean(options.force));
  const modules = installLearnerPackages(root, packages);

  const { colors } = io;
  const relative = path.relative(options.cwd, root);
  const shown = relative === '' ? '.' : relative.startsWith('..') ? root : relative;
  io.out(`${colors.green('Workspace ready')} in ${shown} (${day.exercises.length} exercises, ${options.withSolutions ? 'reference solutions' : 'starters'}).`);
  io.out(`  ${outcome.created.length} files created, ${outcome.unchanged.length} already up to date, ${modules.copied.length} packages copied into node_modules.`);
  if (outcome.kept.length) {
    io.out(colors.yellow(`  ${outcome.kept.length} existing files differ and were left as they are: ${outcome.kept.join(', ')}`));
    io.out('  To replace them with the templates, run init again with --force (your versions are backed up first).');
  }
  if (outcome.replaced.length) io.out(`  ${outcome.replaced.length} files replaced; your versions are in ${path.relative(options.cwd, outcome.backupDir!)}`);
  io.out('');
  io.out('Next:');
  if (shown !== '.') io.out(`  cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`);
  io.out(`  mq-course up${answers.runtime ? ` --runtime ${answers.runtime}` : ''}      start RabbitMQ and Kafka`);
  io.out(`  mq-course check ${day.id} 01   run the first exercise's checks`);
  return ExitCode.ok;
}
