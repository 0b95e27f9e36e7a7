/**
 * A common mistake, written as a small variant of the reference solution: each edit replaces one
 * exact snippet of the solution. Applying fails loudly when a snippet is no longer in the solution,
 * so a variant can never silently turn back into the reference.
 */
export interface MistakeVariant {
  /** The mistake id the check must report. */
  mistake: string;
  /** What the learner did, in one line. */
  description: string;
  program: string;
  edits: Array<[from: string, to: string]>;
}

export function applyVariant(solution: string, variant: MistakeVariant): string {
  let source = solution;
  for (const [from, to] of variant.edits) {
    if (!source.includes(from)) throw new Error(`variant "${variant.description}": snippet not found in the solution:\n${from}`);
    source = source.replace(from, to);
  }
  if (source === solution) throw new Error(`variant "${variant.description}" changes nothing`);
  return source;
}
