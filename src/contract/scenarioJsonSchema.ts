/**
 * The JSON Schema of scenario files, made from the one declaration (ScenarioFileSchema in
 * scenario.ts) and shipped as docs/scenario.schema.json (`npm run schema` writes it; a unit
 * test fails when the file is stale), so editors autocomplete and check scenario files.
 *
 * What JSON Schema cannot say is left out on purpose (errorMode 'ignore'): the cross-field
 * rules (election timeout max > min, heartbeat at most half of it, one action per entry)
 * and the trimming of durations; the parser still enforces them with file:line:col errors.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import { ScenarioFileSchema } from './scenario';

export function scenarioJsonSchema(): Record<string, unknown> {
  return { ...toJsonSchema(ScenarioFileSchema, { errorMode: 'ignore', target: 'draft-07' }) };
}

/** The file's exact text: two-space JSON and a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
