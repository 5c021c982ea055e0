/**
 * What Nara checks in a request body before routing it. Unknown fields are kept and passed to the
 * engine (tools, response_format, n, stop, seed, logprobs, ...); only the fields Nara relies on, and
 * the common ones clients get wrong, are type-checked here.
 */
import { z } from 'zod';

const streamOptions = z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional();
const positiveInt = z.number().int().positive().nullable().optional();
const stop = z.union([z.string(), z.array(z.string()).max(16)]).nullable().optional();

const common = {
  model: z.string().min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: streamOptions,
  max_tokens: positiveInt,
  n: z.number().int().min(1).max(128).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop,
};

const message = z.looseObject({
  role: z.string().min(1),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
});

export const chatRequestSchema = z.looseObject({
  ...common,
  messages: z.array(message).min(1),
  max_completion_tokens: positiveInt,
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  response_format: z.looseObject({ type: z.string() }).optional(),
  logprobs: z.boolean().nullable().optional(),
});

export const completionRequestSchema = z.looseObject({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int())).min(1)]),
});

export const embeddingRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int())).min(1),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
});
