/**
 * `response_format` through llama.cpp grammars: `json_object` constrains sampling to JSON, and
 * `json_schema` to node-llama-cpp's subset of JSON Schema (types, properties, required, enum,
 * const, items, anyOf/oneOf, $ref/$defs, string formats). A schema it cannot turn into a grammar
 * is refused as `unsupported_parameter`; note that keywords it does not know (patternProperties,
 * pattern, minimum, ...) are ignored by node-llama-cpp rather than refused.
 */
import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import { NaraError } from '../../spec/errors.js';
import type { ResponseFormat } from './request-options.js';

export async function grammarFor(llama: Llama, format: ResponseFormat): Promise<LlamaGrammar | undefined> {
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return llama.getGrammarFor('json');
  try {
    // The cast is the boundary: node-llama-cpp walks the schema and throws on what it cannot convert.
    return await llama.createGrammarForJsonSchema<GbnfJsonSchema>(format.schema as GbnfJsonSchema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NaraError('unsupported_parameter', `This JSON schema is not supported by the embedded llama.cpp engine: ${reason.slice(0, 200)}`, {
      param: 'response_format',
      cause: error,
    });
  }
}
