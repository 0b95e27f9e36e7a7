import type { ChalkInstance } from 'chalk';
import { formatTable } from './table.js';

/**
 * A small terminal renderer for the subset of Markdown the lessons and hints use: headings,
 * paragraphs, fenced code, bullet and numbered lists, block quotes, tables, `code` and **bold**.
 * With colour off the markup that carries meaning stays readable: backticks are kept, headings
 * get an underline of = or -.
 */

/** Splits text into words, keeping a `code span` or **bold span** together so wrapping never breaks one. */
function tokenize(text: string): string[] {
  return text.match(/(?:`[^`]*`|\*\*[^*]+\*\*|[^\s`*]+|\*)+/g) ?? [];
}

/** Applies inline markup: code spans and bold. Without colour, bold markers go and backticks stay. */
export function renderInline(text: string, colors: ChalkInstance): string {
  const plain = colors.level === 0;
  return text
    .replace(/`([^`]+)`/g, (_, code: string) => (plain ? `\`${code}\`` : colors.cyan(code)))
    .replace(/\*\*([^*]+)\*\*/g, (_, bold: string) => (plain ? bold : colors.bold(bold)));
}

/** Measures marked-up text as rendered: bold markers always go, backticks only with colour. */
function visibleLength(text: string, colors: ChalkInstance): number {
  const withoutBold = text.replace(/\*\*([^*]+)\*\*/g, '$1');
  return (colors.level === 0 ? withoutBold : withoutBold.replace(/`([^`]+)`/g, '$1')).length;
}

/** Word-wraps marked-up text to `width` rendered characters. */
function wrap(text: string, width: number, colors: ChalkInstance): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of tokenize(text)) {
    if (line && visibleLength(`${line} ${word}`, colors) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const LIST_ITEM = /^(\s*)([-*]|\d+\.)\s+(.*)$/;

export function renderMarkdown(source: string, colors: ChalkInstance, width = 80): string[] {
  const out: string[] = [];
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const inline = (text: string) => renderInline(text, colors);
  let paragraph: string[] = [];

  const flushParagraph = () => {
    if (paragraph.length) for (const line of wrap(paragraph.join(' '), width, colors)) out.push(inline(line));
    paragraph = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];

    if (line.startsWith('```')) {
      flushParagraph();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      for (const codeLine of code) out.push(codeLine === '' ? '' : '    ' + colors.yellow(codeLine));
      continue;
    }

    const heading = line.match(/^(#{1,3})\s+(.*)$/);
    if (heading) {
      flushParagraph();
      const [, hashes, title] = heading;
      if (out.length && out[out.length - 1] !== '') out.push('');
      if (colors.level === 0) {
        out.push(title);
        if (hashes.length < 3) out.push((hashes.length === 1 ? '=' : '-').repeat(title.length));
      } else out.push(hashes.length === 1 ? colors.bold.underline(title) : colors.bold(title));
      continue;
    }

    const item = line.match(LIST_ITEM);
    if (item) {
      flushParagraph();
      const [, indent, marker, first] = item;
      const text = [first];
      // Indented lines right after an item continue it.
      while (i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1]) && !LIST_ITEM.test(lines[i + 1])) text.push(lines[++i].trim());
      const bullet = marker === '-' || marker === '*' ? '•' : marker;
      const lead = `${' '.repeat(indent.length + 2)}${bullet} `;
      const wrapped = wrap(text.join(' '), Math.max(20, width - lead.length), colors);
      wrapped.forEach((part, index) => out.push((index === 0 ? lead : ' '.repeat(lead.length)) + inline(part)));
      continue;
    }

    if (line.startsWith('>')) {
      flushParagraph();
      const quote: string[] = [line.replace(/^>\s?/, '')];
      while (i + 1 < lines.length && lines[i + 1].startsWith('>')) quote.push(lines[++i].replace(/^>\s?/, ''));
      for (const part of wrap(quote.join(' '), width - 4, colors)) out.push(`  ${colors.dim('│')} ${inline(part)}`);
      continue;
    }

    if (line.startsWith('|')) {
      flushParagraph();
      const rows: string[][] = [];
      for (; i < lines.length && lines[i].startsWith('|'); i++) {
        const cells = lines[i].replace(/^\||\|\s*$/g, '').split('|').map((cell) => cell.trim());
        if (!cells.every((cell) => /^:?-+:?$/.test(cell))) rows.push(cells.map(inline));
      }
      i--;
      const [header, ...body] = rows;
      for (const row of formatTable(header, body, (text) => colors.bold(text))) out.push('  ' + row);
      continue;
    }

    if (line.trim() === '') {
      flushParagraph();
      if (out.length && out[out.length - 1] !== '') out.push('');
      continue;
    }
    paragraph.push(line.trim());
  }
  flushParagraph();
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
