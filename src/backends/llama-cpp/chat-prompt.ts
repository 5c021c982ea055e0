/**
 * OpenAI chat messages to node-llama-cpp's chat history, and the choice of chat wrapper (the
 * prompt format) for a model.
 */
import { GeneralChatWrapper, resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type Llama, type LlamaModel } from 'node-llama-cpp';
import { NaraError } from '../../spec/errors.js';
import type { ChatMessage } from '../../spec/openai.js';

/**
 * The model's own Jinja template when it has one (node-llama-cpp swaps in an equivalent built-in
 * wrapper when it recognises the template). Without a template, `resolveChatWrapper` would guess
 * Llama 2 chat for any SentencePiece model whose BOS is `<s>` (most base models); so the BOS hint
 * is withheld and a template-less file gets the file-name/architecture guess, or the neutral
 * "### Human / ### Assistant" GeneralChatWrapper.
 */
export function chatWrapperFor(model: LlamaModel, llama: Llama): ChatWrapper {
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  const hasTemplate = typeof template === 'string' && template.trim() !== '';
  return (
    resolveChatWrapper({
      bosString: hasTemplate ? model.tokens.bosString : null,
      filename: model.filename,
      fileInfo: model.fileInfo,
      tokenizer: model.tokenizer,
      llama,
      warningLogs: false,
    }) ?? new GeneralChatWrapper()
  );
}

function refuse(message: string): NaraError {
  return new NaraError('unsupported_parameter', message, { param: 'messages' });
}

/** Text of a message's content: a string, or an array of text parts; anything else is refused. */
function contentText(content: unknown, role: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) {
    throw new NaraError('invalid_request', `A ${role} message has content of the wrong type.`, { param: 'messages' });
  }
  return content
    .map((part: unknown) => {
      const p = (typeof part === 'object' && part !== null ? part : {}) as Record<string, unknown>;
      if ((p.type === 'text' || p.type === 'refusal') && typeof (p.text ?? p.refusal) === 'string') {
        return String(p.text ?? p.refusal);
      }
      throw refuse(`Content parts of type ${String(p.type)} are not supported by the embedded llama.cpp engine (text only).`);
    })
    .join('');
}

export function toChatHistory(messages: unknown): ChatHistoryItem[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new NaraError('invalid_request', 'messages must be a non-empty array.', { param: 'messages' });
  }
  const history: ChatHistoryItem[] = messages.map((raw: unknown): ChatHistoryItem => {
    const message = (typeof raw === 'object' && raw !== null ? raw : {}) as ChatMessage;
    const role = message.role;
    if (role === 'system' || role === 'developer') return { type: 'system', text: contentText(message.content, role) };
    if (role === 'user') return { type: 'user', text: contentText(message.content, role) };
    if (role === 'assistant') {
      const toolCalls = message.tool_calls;
      if ((Array.isArray(toolCalls) && toolCalls.length > 0) || (message.function_call ?? null) !== null) {
        throw refuse('Assistant tool calls are not supported by the embedded llama.cpp engine.');
      }
      return { type: 'model', response: [contentText(message.content, role)] };
    }
    if (role === 'tool' || role === 'function') {
      throw refuse(`Messages with role ${role} are not supported by the embedded llama.cpp engine.`);
    }
    throw new NaraError('invalid_request', `Unknown message role ${String(role)}.`, { param: 'messages' });
  });
  // An empty model turn at the end asks for a new assistant reply (OpenAI's meaning even when the
  // last message is the assistant's), rather than a continuation of the last one.
  history.push({ type: 'model', response: [] });
  return history;
}
