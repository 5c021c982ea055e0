/**
 * Gathers the manifests asked for in one turn of the event loop and signs them with one signature.
 * Under load the audit log's group commit releases many requests at once, so their manifests share
 * a signature; a lone request waits only for the rest of the current turn (setImmediate).
 */
import type { KeyObject } from 'node:crypto';
import { maxBatch, signManifests } from './provenance-envelope.js';
import type { ProvenanceManifest } from './provenance.js';

interface Waiting {
  readonly manifest: ProvenanceManifest;
  readonly resolve: (envelope: string) => void;
  readonly reject: (error: unknown) => void;
}

export class ManifestBatcher {
  readonly #privateKey: KeyObject;
  readonly #kid: string;
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(privateKey: KeyObject, kid: string) {
    this.#privateKey = privateKey;
    this.#kid = kid;
  }

  /** The manifest's signed envelope, once the current turn's batch is signed. */
  sign(manifest: ProvenanceManifest): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ manifest, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (let start = 0; start < waiting.length; start += maxBatch) {
      const batch = waiting.slice(start, start + maxBatch);
      try {
        const envelopes = signManifests(
          batch.map((entry) => entry.manifest),
          this.#privateKey,
          this.#kid,
        );
        batch.forEach((entry, index) => entry.resolve(envelopes[index] as string));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
  }
}
