/**
 * Reads the note of a "safety" or "safety-answer" stage, e.g.
 * `action=block hazards=vcr,cse guard=12.0ms lang=ko` or `parallel action=allow hazards= guard=parallel`.
 * Only tokens shaped like an action, a hazard id or a language tag are kept: a note that carries a
 * guard's error reason instead yields nothing, so no free text can reach a console answer.
 */
export interface SafetyNote {
  readonly action: string | undefined;
  readonly hazards: readonly string[];
  /** "und" when the note names no language. */
  readonly language: string;
}

const actionShape = /^[a-z][a-z_-]{0,31}$/;
const hazardShape = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const languageShape = /^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$/;

export function parseSafetyNote(note: string | undefined): SafetyNote {
  let action: string | undefined;
  let hazards: string[] = [];
  let language = 'und';
  for (const token of (note ?? '').split(/\s+/)) {
    const cut = token.indexOf('=');
    if (cut <= 0) continue;
    const key = token.slice(0, cut);
    const value = token.slice(cut + 1);
    if (key === 'action' && actionShape.test(value)) action = value;
    else if (key === 'hazards') hazards = value.split(',').filter((hazard) => hazardShape.test(hazard));
    else if (key === 'lang' && languageShape.test(value)) language = value;
  }
  return { action, hazards: [...new Set(hazards)], language };
}
