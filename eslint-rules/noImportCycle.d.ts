// Types for the local ESLint rule in noImportCycle.js (used by eslint.config.js and its test).
import type { ESLint, Rule } from 'eslint';

/** Relative import specifiers ('./x', '../y') of a source text, comments ignored. */
export function relativeImports(text: string): string[];
/** A cycle through `start` as a list of absolute file paths (start ... start), or null. */
export function findCycle(start: string, startText?: string): string[] | null;
export const noImportCycle: Rule.RuleModule;
declare const plugin: ESLint.Plugin & { rules: { 'no-import-cycle': Rule.RuleModule } };
export default plugin;
