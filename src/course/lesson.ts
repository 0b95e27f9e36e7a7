import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { Day } from './catalog.js';

/** One lesson section: templates/<day>/lesson/<NN>-<slug>.md, titled by its first `# ` heading. */
export interface LessonSection {
  id: string;
  number: number;
  slug: string;
  title: string;
  file: string;
}

/** Lists a day's lesson sections in file-name order. */
export function loadLesson(day: Day): LessonSection[] {
  const dir = path.join(day.templateDir, 'lesson');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d\d-[a-z0-9-]+\.md$/.test(name))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const id = name.slice(0, -'.md'.length);
      const heading = readFileSync(file, 'utf8').match(/^# (.+)$/m);
      return { id, number: Number(id.slice(0, 2)), slug: id.slice(3), title: heading ? heading[1].trim() : id.slice(3), file };
    });
}

/** Finds a section by number ("2"), slug ("rabbitmq") or id ("02-rabbitmq"). */
export function findSection(day: Day, sections: LessonSection[], query: string): LessonSection {
  const wanted = query.trim().toLowerCase();
  const match = sections.find(
    (section) => section.id === wanted || section.slug === wanted || (/^\d+$/.test(wanted) && section.number === Number(wanted)),
  );
  if (!match) {
    const valid = sections.map((section) => `${section.number} (${section.slug})`).join(', ');
    throw usageError(`Unknown lesson section "${query}" in ${day.id}. Valid sections: ${valid}.`, `mq-course lesson ${day.id} ${sections[0]?.slug ?? ''}`.trimEnd());
  }
  return match;
}

export function readSection(section: LessonSection): string {
  return readFileSync(section.file, 'utf8');
}
