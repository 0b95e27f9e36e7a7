import { expect, it } from 'vitest';
import { findExercise, loadDay } from '../../src/course/catalog.js';
import type { ExerciseResult } from '../../src/checking/types.js';
import { applyVariant, type MistakeVariant } from './variants.js';
import { describeResult, failedStep, runCheck, solutionSource, writeProgram, type TestWorkspace } from './workspace.js';

/** Writes every program of the exercise back to its reference solution. */
export function restoreReference(workspaceRoot: string, exerciseId: string): void {
  for (const program of findExercise(loadDay('day4'), exerciseId).programs) {
    writeProgram(workspaceRoot, exerciseId, program, solutionSource(exerciseId, program));
  }
}

/**
 * Registers one test per catalogued mistake: the reference solution with that variant's edits
 * must fail with the variant's own mistake id. `alsoExpect` adds assertions an exercise needs on
 * every failure (a saga trace comparison, say).
 */
export function testMistakes(exerciseId: string, workspace: () => TestWorkspace, variants: MistakeVariant[], alsoExpect?: (result: ExerciseResult) => void): void {
  for (const variant of variants) {
    it(`mistake: ${variant.description}`, async () => {
      const root = workspace().root;
      restoreReference(root, exerciseId);
      writeProgram(root, exerciseId, variant.program, applyVariant(solutionSource(exerciseId, variant.program), variant));
      const result = await runCheck(root, exerciseId);
      expect(result.status, describeResult(result)).toBe('failed');
      expect(failedStep(result)?.mistake, describeResult(result)).toBe(variant.mistake);
      alsoExpect?.(result);
    });
  }
}
