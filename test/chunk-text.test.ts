/**
 * Reading a streamed chunk's text without parsing it must give exactly what parsing gives, for the
 * shapes engines send and for the odd ones (several choices, escapes, nested text, tool calls).
 */
import { describe, expect, it } from 'vitest';
import { chunkTextOf } from '../src/gateway/chunk-text.js';
import { completionTextOf } from '../src/gateway/token-estimator.js';
import { finishes } from '../src/gateway/stream-relay.js';
import { finishesChoice } from '../src/spec/openai.js';

const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', ...extra, choices: [choice] });

const shapes: Record<string, string> = {
  'chat delta': chunk({ index: 0, delta: { content: '안녕하세요' }, finish_reason: null }),
  'role first': chunk({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }),
  'escapes and unicode escapes': chunk({ index: 0, delta: { content: 'say "hi"\n\\ok\t' }, finish_reason: null }),
  'ascii-only engine (\\u escapes)': '{"choices":[{"index":0,"delta":{"content":"\\uc548\\ub155 \\"x\\""}}]}',
  'whitespace around colons': '{ "choices" : [ { "index" : 0 , "delta" : { "content" : "spaced" } } ] }',
  'completion text': JSON.stringify({ object: 'text_completion', choices: [{ index: 0, text: 'เพื่อน', finish_reason: null }] }),
  'two choices': JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' } }, { index: 1, delta: { content: 'b' } }] }),
  'logprobs before delta': JSON.stringify({ choices: [{ index: 0, logprobs: { content: [{ token: 'x', logprob: -1 }] }, delta: { content: 'x' } }] }),
  'text nested in an extension, content null': JSON.stringify({ choices: [{ index: 0, delta: { content: null }, x_meta: { text: 'not generated' } }] }),
  'tool call arguments holding "content"': JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: '{"content": "no"}' } }] } }] }),
  'content key in a string value': chunk({ index: 0, delta: { content: 'the key "content": "x" is text' } }),
  'usage only': JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
  'finish chunk': chunk({ index: 0, delta: {}, finish_reason: 'stop' }),
  'model field before choices named text': JSON.stringify({ text: 'top-level', choices: [{ index: 0, delta: { content: 'inside' } }] }),
};

describe('chunkTextOf', () => {
  for (const [name, data] of Object.entries(shapes)) {
    it(`equals the parsed reading: ${name}`, () => {
      expect(chunkTextOf(data)).toBe(completionTextOf(JSON.parse(data)));
    });
  }

  it('reads pieces of every script unchanged', () => {
    for (const piece of ['ก', 'ض', 'Việt', '😀', '\u200b', '']) expect(chunkTextOf(chunk({ index: 0, delta: { content: piece } }))).toBe(piece);
  });
});

describe('chunkTextOf on engines’ field orders', () => {
  const cases: Record<string, string> = {
    'TGI: role before content': '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"x","tool_call_id":null},"logprobs":null,"finish_reason":null}]}',
    'content after another field': '{"choices":[{"index":0,"delta":{"reasoning_content":null,"content":"y"}}]}',
    'text before index': '{"choices":[{"text":"z","index":0}]}',
    'an escaped key': '{"choices":[{"delta":{"con\\u0074ent":"how to kill"}}]}',
    'a delta outside choices': '{"x":{"delta":{"content":"not generated"}},"choices":[]}',
    'message beside delta': '{"choices":[{"message":{"content":5},"delta":{"content":"a"}}]}',
    'choices twice': '{"choices":[{"delta":{"content":"first"}}],"choices":[{"delta":{"content":"second"}}]}',
    'delta content inside a string': '{"choices":[{"index":0,"delta":{"content":"\\"delta\\":{\\"content\\":\\"q"}}]}',
  };
  for (const [name, data] of Object.entries(cases)) {
    it(name, () => expect(chunkTextOf(data)).toBe(completionTextOf(JSON.parse(data))));
  }
});

describe('what an engine that parsed a chunk hands over (StreamChunk.text, .finishes)', () => {
  const all = { ...shapes, 'stop with text': chunk({ index: 0, delta: { content: 'end' }, finish_reason: 'stop' }), 'length, spaced': '{"choices":[{"index":0,"text":"","finish_reason" : "length"}]}', 'null choice': '{"choices":[null,{"index":1,"delta":{"content":"b"},"finish_reason":"stop"}]}' };
  for (const [name, data] of Object.entries(all)) {
    it(`reads what reading the JSON text reads: ${name}`, () => {
      expect(finishesChoice(JSON.parse(data))).toBe(finishes.test(data));
      expect(completionTextOf(JSON.parse(data))).toBe(chunkTextOf(data));
    });
  }
});

describe('the embedded engine’s chunks carry their own text and finish', () => {
  it('equal to reading them from the JSON, for every kind of chunk', async () => {
    const shapes = await import('../src/backends/llama-cpp/openai-shapes.js');
    const { completionTextOf: textOf, finishesChoice } = await import('../src/spec/openai.js');
    const who = { id: 'chatcmpl-1', created: 1, model: 'tiny' };
    const chunks = [
      shapes.chatRoleChunk(who),
      shapes.pieceChunk('chat', who, { text: '안녕 "hi"\n' }),
      shapes.pieceChunk('chat', who, { reasoning: 'thinking' }),
      shapes.pieceChunk('completion', who, { text: 'เพื่อน' }),
      shapes.finishChunk('chat', who, 'stop'),
      shapes.finishChunk('completion', who, 'length'),
      shapes.usageChunk('chat', who, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
    ];
    for (const chunk of chunks) {
      const parsed: unknown = JSON.parse(chunk.data);
      expect({ data: chunk.data, text: chunk.text, finishes: chunk.finishes }).toEqual({ data: chunk.data, text: textOf(parsed), finishes: finishesChoice(parsed) });
    }
  });
});
