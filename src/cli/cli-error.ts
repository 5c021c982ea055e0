/** Errors the CLI turns into exit codes: 2 for usage and configuration mistakes, 1 for the rest. */
export const exitCodes = { ok: 0, runtime: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
