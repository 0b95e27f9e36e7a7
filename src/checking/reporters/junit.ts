import type { ExerciseResult } from '../types.js';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char]!);

/** JUnit XML: one test suite per exercise, one test case per step, for CI dashboards. */
export function toJunit(day: string, results: ExerciseResult[]): string {
  const suites = results.map((result) => {
    const failures = result.steps.filter((step) => step.status === 'failed').length;
    const skipped = result.steps.filter((step) => step.status === 'skipped').length;
    const cases = result.steps.map((step) => {
      const open = `    <testcase classname="${escapeXml(`${day}.${result.exercise}`)}" name="${escapeXml(step.title)}" time="${(step.durationMs / 1000).toFixed(3)}"`;
      if (step.status === 'passed') return `${open}/>`;
      if (step.status === 'skipped') return `${open}><skipped/></testcase>`;
      const body = [step.message, step.expected && `expected: ${step.expected}`, step.actual && `actual: ${step.actual}`, step.next && `next: ${step.next}`].filter(Boolean).join('\n');
      return `${open}><failure message="${escapeXml(step.message ?? 'failed')}">${escapeXml(body)}</failure></testcase>`;
    });
    const output = result.programs.flatMap((program) => program.lines.map((line) => `${program.name} | ${line}`)).join('\n');
    return [
      `  <testsuite name="${escapeXml(`${day} ${result.exercise}`)}" tests="${result.steps.length}" failures="${failures}" skipped="${skipped}" time="${(result.durationMs / 1000).toFixed(3)}">`,
      ...cases,
      output ? `    <system-out>${escapeXml([...result.trace, output].join('\n'))}</system-out>` : '',
      '  </testsuite>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>', ...suites, '</testsuites>'].join('\n');
}
