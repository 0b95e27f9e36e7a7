import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderInline, renderMarkdown } from '../../src/ui/markdown.js';

const plain = new Chalk({ level: 0 });
const coloured = new Chalk({ level: 1 });

describe('renderMarkdown', () => {
  it('underlines headings without colour', () => {
    expect(renderMarkdown('# Kafka\n\n## Keys\n\n### Small', plain)).toEqual(['Kafka', '=====', '', 'Keys', '----', '', 'Small']);
  });

  it('wraps paragraphs at the width', () => {
    const lines = renderMarkdown('one two three four five six seven eight nine ten', plain, 14);
    expect(lines).toEqual(['one two three', 'four five six', 'seven eight', 'nine ten']);
  });

  it('never breaks a code span', () => {
    const lines = renderMarkdown('consume with `{ noAck: false }` always', plain, 12);
    expect(lines).toContain('`{ noAck: false }`');
  });

  it('indents fenced code, unwrapped', () => {
    const long = 'x'.repeat(50);
    expect(renderMarkdown(`text\n\n\`\`\`ts\nconst a = 1;\n\n${long}\n\`\`\``, plain, 20)).toEqual(['text', '', '    const a = 1;', '', `    ${long}`]);
  });

  it('renders bullets with continuation lines', () => {
    expect(renderMarkdown('- first item\n  continues here\n- second', plain, 80)).toEqual(['  • first item continues here', '  • second']);
  });

  it('wraps list items under their text', () => {
    expect(renderMarkdown('1. alpha beta gamma delta', plain, 26)).toEqual(['  1. alpha beta gamma', '     delta']);
  });

  it('aligns tables and drops the rule row', () => {
    expect(renderMarkdown('| a | long header |\n|---|---|\n| wide cell | x |', plain)).toEqual(['  a          long header', '  wide cell  x']);
  });

  it('quotes with a bar', () => {
    expect(renderMarkdown('> careful now', plain)).toEqual(['  │ careful now']);
  });

  it('colours code and bold on a colour terminal', () => {
    const line = renderInline('use `noAck` **always**', coloured);
    expect(line).toBe(`use ${coloured.cyan('noAck')} ${coloured.bold('always')}`);
  });

  it('keeps backticks and drops bold markers without colour', () => {
    expect(renderInline('use `noAck` **always**', plain)).toBe('use `noAck` always');
  });

  it('measures wrapping without the markup', () => {
    // "**bold** word" renders as 9 characters, so it fits in 9 columns.
    expect(renderMarkdown('**bold** word', plain, 9)).toEqual(['bold word']);
  });
});
