/**
 * Signed manifests, kept so that `GET /v1/provenance/{id}` and verification by text can find them:
 * `<audit dir>/provenance.jsonl`, one `{"id","digest","envelope"}` line each, appended (synced with the
 * audit log's own rhythm is not needed: the audit event already proves the output existed). In
 * memory, ids and output digests map to byte offsets, not manifests, so a million outputs cost tens
 * of megabytes rather than the manifests' size.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { BatchedAppender } from './batched-appender.js';
import { join } from 'node:path';

interface Place {
  readonly offset: number;
  readonly length: number;
}

export class ProvenanceStore {
  readonly #path: string;
  readonly #byId = new Map<string, Place>();
  readonly #byDigest = new Map<string, string[]>();
  /** Manifests still on their way to the file (and the latest few): read from memory. */
  readonly #recent = new Map<string, string>();
  #size = 0;
  #file: BatchedAppender | undefined;

  private constructor(path: string) {
    this.#path = path;
  }

  static async open(dir: string): Promise<ProvenanceStore> {
    const store = new ProvenanceStore(join(dir, 'provenance.jsonl'));
    if (existsSync(store.#path)) {
      const data = readFileSync(store.#path);
      let start = 0;
      for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
        store.#index(data.subarray(start, end).toString('utf8'), start, end - start);
        start = end + 1;
      }
      store.#size = start;
    }
    store.#file = await BatchedAppender.open(store.#path, store.#size);
    return store;
  }

  /** Keeps a manifest; until its line is written it is served from memory. */
  add(id: string, digest: string, envelope: string): void {
    // The envelope and digest are base64url, digits, '.' and '~' by construction: nothing to escape in 2 KB.
    const line = `{"id":${JSON.stringify(id)},"digest":"${digest}","envelope":"${envelope}"}\n`;
    const bytes = Buffer.byteLength(line);
    const offset = this.#size;
    this.#size += bytes;
    this.#remember(id, digest, offset, bytes - 1);
    this.#recent.set(id, envelope);
    if (this.#recent.size > 4096) this.#recent.delete(this.#recent.keys().next().value as string);
    // The appender keeps lines in order, so the offsets given here stay true.
    this.#file?.append(line);
  }

  manifestOf(id: string): string | undefined {
    const recent = this.#recent.get(id);
    if (recent !== undefined) return recent;
    const place = this.#byId.get(id);
    return place === undefined ? undefined : this.#read(place)?.envelope;
  }

  /** Ids of the outputs whose NFC text digest is `digest`. */
  idsWithDigest(digest: string): readonly string[] {
    return this.#byDigest.get(digest) ?? [];
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }

  #index(line: string, offset: number, length: number): void {
    try {
      const value = JSON.parse(line) as { id?: unknown; digest?: unknown };
      if (typeof value.id === 'string' && typeof value.digest === 'string') this.#remember(value.id, value.digest, offset, length);
    } catch {
      // a torn last line from a crash: skipped, cut off when the file is opened for appending
    }
  }

  #remember(id: string, digest: string, offset: number, length: number): void {
    this.#byId.set(id, { offset, length });
    const ids = this.#byDigest.get(digest);
    if (ids === undefined) this.#byDigest.set(digest, [id]);
    else ids.push(id);
  }

  #read(place: Place): { envelope: string } | undefined {
    const buffer = Buffer.alloc(place.length);
    const handle = openSync(this.#path, 'r');
    try {
      readSync(handle, buffer, 0, place.length, place.offset);
    } finally {
      closeSync(handle);
    }
    try {
      return JSON.parse(buffer.toString('utf8')) as { envelope: string };
    } catch {
      return undefined;
    }
  }
}
