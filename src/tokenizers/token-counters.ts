/**
 * The counters a configuration needs, keyed by the back ends' `tokenizer` names. Call at start-up
 * (and on reload) before serving: building an encoding blocks the event loop, so it must never
 * happen on the request path. Each encoding is built once per process, however many back ends name
 * it and however often this runs, because each costs tens of MB.
 */
import { byteEstimate, type TokenCounter } from '../spec/tokens.js';
import { loadTiktokenCounter, type TiktokenEncodingName } from './tiktoken-counter.js';

export type LoadEncoding = (name: TiktokenEncodingName) => Promise<TokenCounter>;

const encodingNames: readonly TiktokenEncodingName[] = ['cl100k_base', 'o200k_base'];

/** Built encodings for the life of the process; the promise, so that concurrent loads share one build. */
const builtEncodings = new Map<TiktokenEncodingName, Promise<TokenCounter>>();

function loadOnce(name: TiktokenEncodingName): Promise<TokenCounter> {
  let counter = builtEncodings.get(name);
  if (counter === undefined) {
    counter = loadTiktokenCounter(name);
    // A failed load is not kept, so that a later reload can try again.
    counter.catch(() => builtEncodings.delete(name));
    builtEncodings.set(name, counter);
  }
  return counter;
}

function isEncodingName(name: string): name is TiktokenEncodingName {
  return (encodingNames as readonly string[]).includes(name);
}

/**
 * One counter per distinct name, always including 'estimate'. `loadEncoding` is for tests; the
 * default builds each encoding once per process.
 */
export async function loadTokenCounters(names: Iterable<string>, loadEncoding: LoadEncoding = loadOnce): Promise<Map<string, TokenCounter>> {
  const wanted = new Set<TiktokenEncodingName>();
  for (const name of names) {
    if (name === byteEstimate.name) continue;
    if (!isEncodingName(name)) throw new Error(`unknown tokenizer "${name}": expected estimate, ${encodingNames.join(' or ')}`);
    wanted.add(name);
  }
  const counters = new Map<string, TokenCounter>([[byteEstimate.name, byteEstimate]]);
  const loaded = await Promise.all([...wanted].map(async (name) => [name, await loadEncoding(name)] as const));
  for (const [name, counter] of loaded) counters.set(name, counter);
  return counters;
}
