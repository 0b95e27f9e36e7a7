import { stripVTControlCharacters } from 'node:util';

const visibleWidth = (text: string) => stripVTControlCharacters(text).length;

/** Lays out rows as columns padded to the widest cell; colour codes do not count towards width. */
export function formatTable(header: string[], rows: string[][], style: (text: string) => string = (text) => text, gap = 2): string[] {
  const widths = header.map((cell, column) => Math.max(visibleWidth(cell), ...rows.map((row) => visibleWidth(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column] - visibleWidth(cell) + gap)))
      .join('')
      .trimEnd();
  return [style(line(header)), ...rows.map(line)];
}
