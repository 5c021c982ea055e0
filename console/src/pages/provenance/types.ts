/**
 * Answers of the public provenance endpoints, as the console reads them. They mirror
 * ProvenanceVerdict and DetectionAnswer of src/spec/audit.ts, written out here because the console
 * shares only src/spec/console-api.ts with the server.
 */

/** POST /v1/provenance/verify */
export type ProvenanceVerdict =
  | { readonly verified: true; readonly id: string; readonly manifest: Readonly<Record<string, unknown>> }
  | { readonly verified: false; readonly reason: string; readonly id?: string };

/** POST /v1/provenance/detect */
export interface DetectionAnswer {
  readonly matches: readonly {
    readonly id: string;
    readonly tenant: string | null;
    /** 0–1. */
    readonly similarity: number;
    readonly model?: string | null;
    readonly jurisdiction?: string | null;
    readonly time?: string;
  }[];
}
