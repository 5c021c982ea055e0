/**
 * The labelled PII corpus: deterministic, its offsets exact, every type and language present, its
 * planted identifiers valid by the validators in src/pii and its wrong-check negatives not.
 */
import { describe, expect, it } from 'vitest';
import { compactIdentifier, digitValue } from '../src/pii/digits.js';
import { entityTypes } from '../src/pii/entity-types.js';
import { idValidators } from '../src/dev/pii-corpus-ids.js';
import { corpusEntityTypes, corpusLanguages, documentKinds, generateCleanText, generateCorpus, negativeKinds, type LabelledDocument } from '../src/dev/pii-corpus.js';

const corpus: LabelledDocument[] = generateCorpus({ seed: 4, documents: 500 });

/** Spans of the document's entities and negatives, with their text. */
function spans(document: LabelledDocument): { start: number; end: number }[] {
  return [...document.entities, ...document.negatives];
}

describe('generateCorpus', () => {
  it('gives the same documents for the same seed, other documents for another', () => {
    expect(generateCorpus({ seed: 4, documents: 500 })).toEqual(corpus);
    expect(generateCorpus({ seed: 5, documents: 50 })).not.toEqual(corpus.slice(0, 50));
  });

  it('labels exact offsets: every span is a planted value with no padding', () => {
    for (const document of corpus) {
      for (const { start, end } of spans(document)) {
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeLessThanOrEqual(document.text.length);
        const value = document.text.slice(start, end);
        expect(value.trim()).toBe(value);
        expect(value.length).toBeGreaterThan(0);
      }
      const ordered = spans(document).sort((left, right) => left.start - right.start);
      for (let index = 1; index < ordered.length; index += 1) expect(ordered[index]?.start).toBeGreaterThanOrEqual(ordered[index - 1]?.end ?? 0);
    }
  });

  it('puts every digit of a document inside a planted entity or negative', () => {
    for (const document of corpus) {
      const covered = new Set<number>();
      for (const { start, end } of spans(document)) for (let at = start; at < end; at += 1) covered.add(at);
      for (let at = 0; at < document.text.length; at += 1) {
        if (digitValue(document.text.charCodeAt(at)) >= 0 && !covered.has(at)) throw new Error(`${document.id}: stray digit at ${at} in ${JSON.stringify(document.text)}`);
      }
    }
  });

  it('covers every type, language, document kind and negative kind in 500 documents', () => {
    expect(new Set(corpus.flatMap((document) => document.entities.map((entity) => entity.type)))).toEqual(new Set(corpusEntityTypes));
    expect(new Set(corpus.map((document) => document.language))).toEqual(new Set(corpusLanguages));
    expect(new Set(corpus.map((document) => document.kind))).toEqual(new Set(documentKinds));
    expect(new Set(corpus.flatMap((document) => document.negatives.map((negative) => negative.kind)))).toEqual(new Set(negativeKinds));
  });

  it('writes values in every digit script and separator, with and without context, glued and spaced', () => {
    const formats = corpus.flatMap((document) => document.entities.map((entity) => entity.format));
    expect(new Set(formats.map((format) => format.script))).toEqual(new Set(['ascii', 'fullwidth', 'thai', 'arabic-indic', 'extended-arabic-indic']));
    expect(new Set(formats.map((format) => format.separator))).toEqual(new Set(['', '-', ' ', '.', 'n/a']));
    expect(new Set(formats.map((format) => format.context))).toEqual(new Set([true, false]));
    expect(new Set(formats.map((format) => format.glued))).toEqual(new Set([true, false]));
    const variants = new Set(formats.map((format) => format.variant));
    for (const variant of ['pre-2020', 'post-2020', 'female', 'male', 'v4', 'v6', 'S', 'T', 'F', 'G', 'M', 'citizen', 'iqama']) expect(variants).toContain(variant);
    for (const country of ['KR', 'TH', 'ID', 'VN', 'PH', 'SG', 'SA', 'AE', 'JP']) for (const form of ['national', 'international', 'e164']) expect(variants).toContain(`${country}-${form}`);
  });

  it('plants identifiers that their validators accept, with a check digit wherever one is due', () => {
    let checked = 0;
    for (const document of corpus) {
      for (const entity of document.entities) {
        const validator = idValidators[entity.type as keyof typeof idValidators];
        if (validator === undefined) continue;
        const compact = compactIdentifier(document.text.slice(entity.start, entity.end));
        expect(compact, `${document.id} ${entity.type}`).toBeDefined();
        const verdict = validator(compact ?? '');
        expect(verdict.valid, `${document.id} ${entity.type} ${compact}`).toBe(true);
        const structural = ['ID_NIK', 'VN_CCCD', 'PH_PCN'].includes(entity.type) || entity.format.variant === 'post-2020';
        expect(verdict.valid && verdict.checkDigitValidated, `${document.id} ${entity.type} ${compact}`).toBe(!structural);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('plants wrong check digits that the imitated type, and every other ID type, rejects', () => {
    const wrong = corpus.flatMap((document) => document.negatives.filter((negative) => negative.kind === 'bad-check-digit').map((negative) => ({ negative, text: document.text.slice(negative.start, negative.end) })));
    expect(new Set(wrong.map(({ negative }) => negative.resembles))).toEqual(new Set(['TH_ID', 'SA_NID', 'JP_MY_NUMBER', 'CREDIT_CARD']));
    for (const { negative, text } of wrong) {
      const compact = compactIdentifier(text) ?? '';
      const validator = idValidators[negative.resembles as keyof typeof idValidators];
      expect(validator?.(compact).valid, `${negative.resembles} ${text}`).toBe(false);
      for (const [type, other] of Object.entries(idValidators)) if (type !== 'PH_PCN') expect(other?.(compact).valid, `${type} ${text}`).toBe(false);
    }
  });

  it('names the values nothing else tells apart: CCCD, PhilSys numbers, compact driver licences, bare Singapore numbers', () => {
    let named = 0;
    for (const document of corpus) {
      for (const entity of document.entities) {
        const value = document.text.slice(entity.start, entity.end);
        const bare = !/[ .\-\uff0d]/.test(value);
        const mustBeNamed =
          entity.type === 'VN_CCCD' ||
          entity.type === 'PH_PCN' ||
          (entity.type === 'KR_DRIVER_LICENSE' && entity.format.separator === '') ||
          (entity.type === 'PHONE' && entity.format.variant === 'SG-national' && bare);
        if (!mustBeNamed) continue;
        named += 1;
        expect(entity.format.context, `${document.id}: ${value}`).toBe(true);
      }
    }
    expect(named).toBeGreaterThan(20);
  });

  it('keeps to the languages asked for', () => {
    const korean = generateCorpus({ seed: 1, documents: 20, languages: ['ko', 'ja'] });
    expect(new Set(korean.map((document) => document.language))).toEqual(new Set(['ko', 'ja']));
  });
});

describe('generateCleanText', () => {
  const clean = generateCleanText({ seed: 9, bytes: 100_000 });

  it('is deterministic and about the size asked for', () => {
    expect(generateCleanText({ seed: 9, bytes: 100_000 })).toBe(clean);
    const size = Buffer.byteLength(clean);
    expect(size).toBeLessThanOrEqual(100_000);
    expect(size).toBeGreaterThan(95_000);
  });

  it('holds no digit run longer than four, in any script', () => {
    let run = 0;
    let longest = 0;
    for (const char of clean) {
      run = digitValue(char.codePointAt(0) as number) >= 0 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(4);
  });

  it('mixes the eight languages', () => {
    for (const probe of ['회의', 'การประชุม', 'Rapat', 'Cuộc họp', 'pulong', 'الاجتماع', '会議', 'meeting']) expect(clean).toContain(probe);
  });
});

describe('the corpus and the scanner', () => {
  it('name the same entity types (listed apart on purpose, so the corpus measures the scanner rather than repeating it)', () => {
    expect([...corpusEntityTypes].sort()).toEqual([...entityTypes].sort());
  });
});
