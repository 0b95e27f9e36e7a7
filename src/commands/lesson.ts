import { loadDay } from '../course/catalog.js';
import { findSection, loadLesson, readSection, type LessonSection } from '../course/lesson.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';
import { renderMarkdown } from '../ui/markdown.js';

export interface LessonOptions {
  cwd: string;
  day: string;
  section?: string;
  all?: boolean;
}

// Past about 100 columns prose gets hard to read, so wider terminals still wrap there.
const MAX_WIDTH = 100;

function textWidth(): number {
  return Math.min(process.stdout.isTTY ? process.stdout.columns || 80 : 80, MAX_WIDTH);
}

function printSection(io: Io, section: LessonSection): void {
  for (const line of renderMarkdown(readSection(section), io.colors, textWidth())) io.out(line);
}

/**
 * Prints one lesson section, every section with --all, or (with neither) the table of contents
 * with the command that opens each section. Works offline: the text ships in templates/.
 */
export async function lesson(options: LessonOptions, io: Io): Promise<number> {
  const day = loadDay(options.day);
  const sections = loadLesson(day);
  if (sections.length === 0) {
    io.out(`${day.id} has no lesson yet.`);
    return ExitCode.ok;
  }

  if (options.section) {
    const section = findSection(day, sections, options.section);
    printSection(io, section);
    const following = sections[sections.indexOf(section) + 1];
    io.out('');
    io.out(io.colors.dim(following ? `Next section: mq-course lesson ${day.id} ${following.slug}` : `End of the lesson. Check what stuck: mq-course quiz ${day.id}`));
    return ExitCode.ok;
  }

  if (options.all) {
    sections.forEach((section, index) => {
      if (index > 0) io.out('');
      printSection(io, section);
    });
    return ExitCode.ok;
  }

  io.out(io.colors.bold(`${day.title}: lesson`));
  io.out('');
  for (const section of sections) io.out(`  ${section.number}  ${section.title.padEnd(44)} ${io.colors.dim(`mq-course lesson ${day.id} ${section.slug}`)}`);
  io.out('');
  io.out(`Start with: mq-course lesson ${day.id} ${sections[0].slug}   (or --all for the whole text)`);
  return ExitCode.ok;
}
