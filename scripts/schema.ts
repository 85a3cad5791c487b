/**
 * `npm run schema`: writes docs/scenario.schema.json from the scenario declaration
 * (src/contract/scenario.ts). test/unit/contract/scenarioSchema.test.ts fails when the
 * shipped file differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchemaText } from '../src/contract/scenarioJsonSchema';

const target = 'docs/scenario.schema.json';
writeFileSync(target, scenarioJsonSchemaText());
console.log(`wrote ${target}`);
