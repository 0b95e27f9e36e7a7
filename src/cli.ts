import { Command, CommanderError, Option } from 'commander';
import { ExitCode, isCliError } from './errors.js';
import { processIo, type Io } from './ui/io.js';
import { packageVersion } from './paths.js';

// Thin wiring only: each action lazy-imports its command module, so `--help` loads no broker client.

const RUNTIMES = ['docker', 'podman', 'native', 'external'];

function runtimeOption(): Option {
  return new Option('--runtime <name>', 'where the brokers run (default: workspace config, then detection)').choices(RUNTIMES);
}

// Help for the arguments and options several commands share, written once so every command prints the same text.
const OPTION_HELP = {
  exercise: 'exercise id, number or name, e.g. 01-work-queue, 1 or work-queue',
  day: 'the course day, e.g. day4',
  yes: 'answer yes to the confirmation (needed without a terminal)',
} as const;

function brokerOptions(command: Command): Command {
  return command
    .option('--amqp-url <url>', 'RabbitMQ URL (env AMQP_URL; default amqp://guest:guest@127.0.0.1:5672)')
    .option('--kafka-brokers <list>', 'comma-separated Kafka bootstrap servers (env KAFKA_BROKERS; default 127.0.0.1:9092)');
}

export function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('mq-course');
  const cwd = () => (program.opts().dir as string | undefined) ?? process.cwd();
  const run = async (load: () => Promise<number>) => setExitCode(await load());

  program
    .description('Hands-on tutor for asynchronous messaging: RabbitMQ, Kafka and sagas, checked against real brokers.')
    .version(packageVersion(), '-V, --version')
    .option('-C, --dir <path>', 'run as if started in this folder')
    .option('--debug', 'print stack traces and broker client logs')
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride();

  program
    .command('init')
    .description('scaffold a course workspace with the day\'s exercises')
    .argument('[dir]', 'folder to create or fill (default: prompt, else ./mq-course-day4)')
    .option('-y, --yes', 'accept every default without prompting')
    .option('--with-solutions', 'scaffold the reference solutions instead of the starters')
    .option('--force', 'overwrite files that already exist')
    .addOption(runtimeOption())
    .action((dir, options) => run(async () => (await import('./commands/init.js')).init({ ...options, dir, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('up')
      .description('start the brokers and wait until they answer')
      .argument('[broker]', 'rabbitmq or kafka (default: both)')
      .addOption(runtimeOption())
      .option('--pull', 'pull the pinned images first (docker and podman; needs the network)')
      .option('--timeout <seconds>', 'how long to wait for each broker to become ready', '120'),
  ).action((broker, options) => run(async () => (await import('./commands/up.js')).up({ ...options, broker, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('down')
      .description('stop the brokers that `up` started (brokers found running are left alone)')
      .argument('[broker]', 'rabbitmq or kafka (default: both)')
      .addOption(runtimeOption()),
  ).action((broker, options) => run(async () => (await import('./commands/down.js')).down({ ...options, broker, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('status')
      .description('show whether each broker answers, where, and which version')
      .addOption(runtimeOption()),
  ).action((options) => run(async () => (await import('./commands/status.js')).status({ ...options, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('logs')
      .description('print the recent log lines of the brokers')
      .argument('[broker]', 'rabbitmq or kafka (default: both)')
      .addOption(runtimeOption())
      .option('-f, --follow', 'keep printing new lines until Ctrl-C')
      .option('-n, --lines <count>', 'how many recent lines to print per broker', '50'),
  ).action((broker, options) => run(async () => (await import('./commands/logs.js')).logs({ ...options, broker, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('doctor')
      .description('check Node.js, Docker or Podman, images, ports, brokers and the workspace, with a fix for each problem')
      .addOption(runtimeOption()),
  ).action((options) => run(async () => (await import('./commands/doctor.js')).doctor({ ...options, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('check')
      .description('run the checkpoint checks of a day or of one exercise')
      .argument('<day>', OPTION_HELP.day)
      .argument('[exercise]', `${OPTION_HELP.exercise} (default: every exercise)`)
      .option('--json', 'print the results as one JSON object (exercises, steps, messages, durations) instead of the report')
      .addOption(new Option('--reporter <name>', 'report format').choices(['pretty', 'json', 'junit']).default('pretty'))
      .option('--repeat <n>', 'run the checks n times and report the pass rate', '1')
      .option('--keep-going', 'go on with the next exercise after a failure'),
  ).action((day, exercise, options) =>
    run(async () => (await import('./commands/check.js')).check({ ...options, day, exercise, cwd: cwd(), debug: program.opts().debug }, io)),
  );

  registerLearnerCommands(program, io, cwd, run);
  brokerOptions(
    program
      .command('watch')
      .description('re-run the checks of the current exercise whenever you save; Enter moves on after a pass, q quits')
      .argument('[exercise]', `${OPTION_HELP.exercise} (default: the first one not passed)`)
      .option('--poll', 'poll the files every 0.5 s instead of using file events (also MQ_COURSE_WATCH_POLL=1; for WSL drives and some containers)'),
  ).action((exercise, options) =>
    run(async () => (await import('./commands/watch.js')).watch({ ...options, exercise, cwd: cwd(), debug: program.opts().debug }, io)),
  );
  return program;
}

type Runner = (load: () => Promise<number>) => Promise<void>;

/** Registers the commands a learner uses between check runs: lesson, quiz, progress, hints, reset and solutions. */
function registerLearnerCommands(program: Command, io: Io, cwd: () => string, run: Runner): void {
  program
    .command('lesson')
    .description('read the lesson in the terminal (offline); without a section, list the sections')
    .argument('<day>', OPTION_HELP.day)
    .argument('[section]', 'section number or name, e.g. 2 or rabbitmq')
    .option('--all', 'print every section, one after the other')
    .action((day, section, options) => run(async () => (await import('./commands/lesson.js')).lesson({ ...options, day, section, cwd: cwd() }, io)));

  program
    .command('quiz')
    .description('answer the day\'s multiple-choice questions (needs a terminal); the score is kept in progress')
    .argument('<day>', OPTION_HELP.day)
    .action((day) => run(async () => (await import('./commands/quiz.js')).quiz({ day, cwd: cwd() }, io)));

  program
    .command('list')
    .description('list the exercises with their state; an arrow marks the next one')
    .action(() => run(async () => (await import('./commands/list.js')).list({ cwd: cwd() }, io)));

  program
    .command('next')
    .description('show the first exercise not passed: its folder, README and check command')
    .action(() => run(async () => (await import('./commands/next.js')).next({ cwd: cwd() }, io)));

  const progress = program
    .command('progress')
    .description('show a table of exercise states, attempts, last runs and the quiz score')
    .action(() => run(async () => (await import('./commands/progress.js')).progress({ cwd: cwd() }, io)));
  progress
    .command('export')
    .description('write the progress as JSON to stdout, or to a file')
    .argument('[file]', 'file to write (default: stdout)')
    .action((file) => run(async () => (await import('./commands/progress.js')).exportProgress({ file, cwd: cwd() }, io)));
  progress
    .command('import')
    .description('read a progress file written by `progress export`; merges by default: passed stays passed, the larger attempt count and the later run win, the best quiz score is kept')
    .argument('<file>', 'the JSON file to import')
    .option('--replace', 'replace the current progress instead of merging (the current file is backed up first)')
    .action((file, options) => run(async () => (await import('./commands/progress.js')).importProgress({ ...options, file, cwd: cwd() }, io)));

  program
    .command('hint')
    .description('show the next hint for an exercise; after a failed check, the hint for the failed step comes first')
    .argument('<exercise>', OPTION_HELP.exercise)
    .option('--all', 'show every hint at once')
    .action((exercise, options) => run(async () => (await import('./commands/hint.js')).hint({ ...options, exercise, cwd: cwd() }, io)));

  program
    .command('reset')
    .description('restore the starter files of an exercise; your files are backed up in .mq-course/backups/ and progress is kept')
    .argument('<exercise>', OPTION_HELP.exercise)
    .action((exercise) => run(async () => (await import('./commands/reset.js')).reset({ exercise, cwd: cwd() }, io)));

  program
    .command('solution')
    .description('show the reference solution of an exercise that has passed')
    .argument('<exercise>', OPTION_HELP.exercise)
    .option('--force', 'show it before the exercise has passed (asks to confirm)')
    .option('-y, --yes', OPTION_HELP.yes)
    .option('--write', 'write it into the workspace instead of printing it (your files are backed up in .mq-course/backups/ first)')
    .action((exercise, options) => run(async () => (await import('./commands/solution.js')).solution({ ...options, exercise, cwd: cwd() }, io)));
}

/** Runs the CLI and returns the exit code; only bin/mq-course.js turns it into process.exitCode. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, io, argv.includes('--debug'));
  }
}

function reportError(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Help and version are printed through exitOverride too; they are not failures.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (isCliError(error)) {
    if (error.exitCode === ExitCode.interrupted) {
      io.err(error.message);
      return error.exitCode;
    }
    io.err(`${io.colors.red('error:')} ${error.message}`);
    if (error.next) io.err(`${io.colors.dim('next:')}  ${error.next}`);
    if (debug && error.stack) io.err(error.stack);
    return error.exitCode;
  }
  if (isPromptCancel(error)) {
    io.err('Cancelled.');
    return ExitCode.interrupted;
  }
  io.err(`${io.colors.red('internal error:')} ${(error as Error)?.message ?? String(error)}`);
  io.err((error as Error)?.stack ?? '');
  io.err('This is a bug in mq-course. Run again with --debug and report the output above.');
  return ExitCode.internal;
}

// @inquirer/prompts rejects with ExitPromptError when the user presses Ctrl-C at a prompt.
function isPromptCancel(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ExitPromptError';
}
