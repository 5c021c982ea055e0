/**
 * One hazard taxonomy for every guard: the MLCommons AILuminate v1.0 hazards (with legal advice,
 * which AILuminate lists under specialized advice, as its own id), tenant-defined categories written
 * `custom:<name>`, and how the categories of the guard models Nara understands map onto them.
 * Guards speak their own vocabularies; policies, errors, metrics and the audit log speak this one.
 */

export const hazardIds = ['vcr', 'src', 'cse', 'ssh', 'iwp', 'ipv', 'dfm', 'ncr', 'hte', 'prv', 'spc_ele', 'spc_fin', 'spc_hlt', 'spc_lgl', 'sxc_prn'] as const;

export type StandardHazard = (typeof hazardIds)[number];
/** A standard hazard, or a tenant's own category (e.g. `custom:forbidden-topics`). */
export type Hazard = StandardHazard | `custom:${string}`;

export const hazardNames: Readonly<Record<StandardHazard, string>> = {
  vcr: 'violent crimes',
  src: 'sex-related crimes',
  cse: 'child sexual exploitation',
  ssh: 'suicide and self-harm',
  iwp: 'indiscriminate weapons (CBRNE)',
  ipv: 'intellectual property violations',
  dfm: 'defamation',
  ncr: 'non-violent crimes',
  hte: 'hate',
  prv: 'privacy violations',
  spc_ele: 'specialized advice: elections',
  spc_fin: 'specialized advice: financial',
  spc_hlt: 'specialized advice: health',
  spc_lgl: 'specialized advice: legal',
  sxc_prn: 'sexual content',
};

const standard = new Set<string>(hazardIds);
const customPattern = /^custom:[a-z0-9][a-z0-9_-]{0,63}$/;

export function isHazard(value: string): value is Hazard {
  return standard.has(value) || customPattern.test(value);
}

/**
 * Llama Guard 3 and 4 (MLCommons-aligned S1–S14). S6 "Specialized Advice" covers financial, medical
 * and legal advice together: it maps to all three, so a policy on any of them applies. S14 "Code
 * Interpreter Abuse" is a non-violent crime for a gateway that runs no code.
 */
export const llamaGuardCategories: Readonly<Record<string, readonly StandardHazard[]>> = {
  S1: ['vcr'],
  S2: ['ncr'],
  S3: ['src'],
  S4: ['cse'],
  S5: ['dfm'],
  S6: ['spc_fin', 'spc_hlt', 'spc_lgl'],
  S7: ['prv'],
  S8: ['ipv'],
  S9: ['iwp'],
  S10: ['hte'],
  S11: ['ssh'],
  S12: ['sxc_prn'],
  S13: ['spc_ele'],
  S14: ['ncr'],
};

/**
 * Qwen3Guard's categories (matched case-insensitively). "Unethical Acts" covers discrimination and
 * hateful conduct; "Politically Sensitive Topics" is closest to election misinformation; "Jailbreak"
 * names no harm of its own and maps to none (the verdict still counts as unsafe).
 */
export const qwen3GuardCategories: Readonly<Record<string, readonly StandardHazard[]>> = {
  violent: ['vcr'],
  'non-violent illegal acts': ['ncr'],
  'sexual content or sexual acts': ['sxc_prn'],
  pii: ['prv'],
  'suicide & self-harm': ['ssh'],
  'unethical acts': ['hte'],
  'politically sensitive topics': ['spc_ele'],
  'copyright violation': ['ipv'],
  jailbreak: [],
};
