/**
 * The local checks (term lists, tenant rules) on one text, and the decision a policy takes from
 * everything found — by these checks and by a guard model. Findings carry hazards and where in the
 * text they are (for redaction), never the matched words: those stay in this process.
 */
import type { Hazard } from './hazards.js';
import { actionFor, actionRank, type SafetyAction, type SafetyRuleSet } from './safety-policy.js';
import { skeletonView, type Skeleton } from './skeleton.js';
import { severityRank, type TermIndex } from './term-index.js';

export type FindingSource = 'terms' | 'rule' | 'guard';

export interface Finding {
  readonly hazard: Hazard;
  readonly source: FindingSource;
  /** UTF-16 offsets in the checked text; absent for whole-text findings (guard models, lengths). */
  readonly start?: number;
  readonly end?: number;
}

export interface SafetyDecision {
  readonly action: SafetyAction;
  /** Every hazard found, whatever its action (monitor included), sorted. */
  readonly hazards: readonly Hazard[];
  /** The hazard whose action decided, when the action is redact or block. */
  readonly decidedBy?: Hazard;
  readonly findings: readonly Finding[];
}

export type Direction = 'input' | 'output';

/**
 * Term-list and tenant-rule findings for `text` read in `direction`. `totalLength` is the length
 * maximum-length rules judge, when `text` is only the tail of a longer answer.
 */
export function localFindings(text: string, set: SafetyRuleSet, direction: Direction, totalLength = text.length): Finding[] {
  if (totalLength === 0) return [];
  const findings: Finding[] = [];
  let skeleton: Skeleton | undefined;
  // Read at once, before anything else builds a skeleton (the view's buffers are shared).
  const skeletonNow = () => (skeleton ??= skeletonView(text));
  if (set.terms !== null) termFindings(set.terms, skeletonNow(), severityRank[set.minSeverity], 'terms', findings);
  for (const rule of set.rules) {
    if (rule.where !== 'both' && rule.where !== direction) continue;
    if (rule.kind === 'max-length') {
      if (totalLength > rule.maxChars) findings.push({ hazard: rule.hazard, source: 'rule' });
    } else if (rule.kind === 'keywords') {
      termFindings(rule.index, skeletonNow(), 0, 'rule', findings);
    } else {
      const found = rule.pattern.find(text);
      if (found !== undefined) findings.push({ hazard: rule.hazard, source: 'rule', start: found.start, end: found.end });
    }
  }
  return findings;
}

function termFindings(index: TermIndex, skeleton: Skeleton, minRank: number, source: FindingSource, into: Finding[]): void {
  for (const match of index.find(skeleton.codes, skeleton.joinedLetters)) {
    if (severityRank[match.severity] < minRank) continue;
    const start = skeleton.origin[match.start] as number;
    const last = skeleton.origin[match.end - 1] as number;
    into.push({ hazard: match.category, source, start, end: last + 1 });
  }
}

/** What the rule set does about these findings: the strictest action among their hazards. */
export function decide(findings: readonly Finding[], set: SafetyRuleSet): SafetyDecision {
  let action: SafetyAction = 'off';
  let decidedBy: Hazard | undefined;
  const hazards = new Set<Hazard>();
  for (const finding of findings) {
    const hazardAction = actionFor(set, finding.hazard);
    if (hazardAction === 'off') continue;
    hazards.add(finding.hazard);
    if (actionRank[hazardAction] > actionRank[action]) {
      action = hazardAction;
      decidedBy = finding.hazard;
    }
  }
  // Redacting needs a place in the text; a whole-text finding under redact is refused instead.
  if (action === 'redact' && findings.some((finding) => finding.hazard === decidedBy && finding.start === undefined)) action = 'block';
  return { action, hazards: [...hazards].sort(), ...(action === 'redact' || action === 'block' ? { decidedBy } : {}), findings };
}

/** The text with every span of a hazard whose action is redact replaced by `marker`. */
export function redactText(text: string, decision: SafetyDecision, set: SafetyRuleSet, marker: string): string {
  const spans = decision.findings
    .filter((finding) => finding.start !== undefined && finding.end !== undefined && actionFor(set, finding.hazard) === 'redact')
    .map((finding) => [finding.start as number, finding.end as number] as const)
    .sort((a, b) => a[0] - b[0]);
  let result = '';
  let cursor = 0;
  for (const [start, end] of spans) {
    if (end <= cursor) continue;
    result += text.slice(cursor, Math.max(cursor, start)) + marker;
    cursor = end;
  }
  return result + text.slice(cursor);
}
