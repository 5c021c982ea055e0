/** The JSON Schema of nara.yaml, generated from the zod schema so the two cannot disagree. */
import { z } from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  const document = {
    $id: 'https://nara.dev/schema/nara.schema.json',
    title: 'Nara configuration (nara.yaml)',
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
