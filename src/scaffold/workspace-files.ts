import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Day } from '../course/catalog.js';
import { CONFIG_FILE, CONFIG_FORMAT_VERSION, type WorkspaceConfig } from '../workspace/config.js';
import type { ResolvedPackage } from './runtime-packages.js';
import type { PlannedFile } from './write-plan.js';

// npm drops files named .gitignore from published packages, so the template stores it as _gitignore.
const RENAMES: Record<string, string> = { _gitignore: '.gitignore' };

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const relative = prefix ? `${prefix}/${name}` : name;
    return statSync(full).isDirectory() ? listFiles(full, relative) : [relative];
  });
}

export interface WorkspaceOptions {
  day: Day;
  withSolutions: boolean;
  runtime?: WorkspaceConfig['runtime'];
  packages: ResolvedPackage[];
  mqCourseVersion: string;
  /** The workspace's current mq-course.json, when init runs again in a workspace. */
  existingConfig?: WorkspaceConfig;
}

/** Everything `init` writes, as data: the skeleton, the config, package.json and each exercise. */
export function planWorkspace(options: WorkspaceOptions): PlannedFile[] {
  const { day } = options;
  const files: PlannedFile[] = [];
  const skeleton = path.join(day.templateDir, 'workspace');
  for (const relative of listFiles(skeleton)) {
    const target = relative
      .split('/')
      .map((part) => RENAMES[part] ?? part)
      .join('/');
    files.push({ path: target, content: readFileSync(path.join(skeleton, relative)) });
  }

  // The config is the learner's (or an instructor's broker settings): its keys are kept, and only
  // the format version, the day and a runtime chosen in this init are written over them.
  const config: WorkspaceConfig = { ...options.existingConfig, formatVersion: CONFIG_FORMAT_VERSION, day: day.id, ...(options.runtime ? { runtime: options.runtime } : {}) };
  files.push({ path: CONFIG_FILE, content: Buffer.from(JSON.stringify(config, null, 2) + '\n') });
  files.push({ path: 'package.json', content: Buffer.from(JSON.stringify(packageJson(options), null, 2) + '\n') });

  for (const exercise of day.exercises) {
    const folder = `exercises/${exercise.id}`;
    files.push({ path: `${folder}/README.md`, content: readFileSync(path.join(exercise.templateDir, 'README.md')) });
    const source = path.join(exercise.templateDir, options.withSolutions ? 'solution' : 'starter');
    for (const program of exercise.programs) {
      files.push({ path: `${folder}/${program}`, content: readFileSync(path.join(source, program)) });
    }
    for (const file of exercise.support) {
      files.push({ path: `${folder}/${file}`, content: readFileSync(path.join(exercise.templateDir, 'starter', file)) });
    }
  }
  return files;
}

function packageJson(options: WorkspaceOptions) {
  const versions = Object.fromEntries(options.packages.map((pkg) => [pkg.name, pkg.version]));
  const dependency = (name: string) => versions[name];
  return {
    name: `mq-course-${options.day.id}`,
    private: true,
    type: 'module',
    description: `mq-course workspace for ${options.day.title}`,
    dependencies: {
      amqplib: dependency('amqplib'),
      'better-sqlite3': dependency('better-sqlite3'),
      kafkajs: dependency('kafkajs'),
      tsx: dependency('tsx'),
    },
    devDependencies: {
      '@types/node': dependency('@types/node'),
      'mq-course': options.mqCourseVersion,
    },
  };
}
