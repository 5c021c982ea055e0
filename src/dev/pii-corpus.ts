/**
 * A labelled corpus for measuring the PII detector (issue 4, item 5): chat prompts, forms, CSV rows
 * and logs in eight languages, with planted entities of every type and format variant and hard
 * negatives beside them. Deterministic: the same seed gives the same documents, so benchmark runs
 * compare. Offsets are JavaScript string offsets (UTF-16 code units), as the detector reports them.
 */
import { generateEmail, generateIpAddress, generatePhone, phoneCountriesOf } from './pii-corpus-contacts.js';
import { grouped, pickScript, toScript, type DigitScript, type Separator } from './pii-corpus-format.js';
import { generateId } from './pii-corpus-ids.js';
import { generateNegative, timestamp } from './pii-corpus-negatives.js';
import { seededRandom, type Random } from './pii-corpus-random.js';
import { contextWordsOf, genericWordOf, gluingLanguages, namesOf, negativeWordsOf, templatesOf } from './pii-corpus-templates.js';
import {
  corpusEntityTypes,
  corpusLanguages,
  documentKinds,
  negativeKinds,
  type CorpusEntityType,
  type CorpusLanguage,
  type DocumentKind,
  type NegativeKind,
} from './pii-corpus-types.js';

export { generateCleanText } from './pii-corpus-clean.js';
export { corpusEntityTypes, corpusLanguages, documentKinds, negativeKinds };
export type { CorpusEntityType, CorpusLanguage, DocumentKind, NegativeKind };

/** How a planted value was written, so recall can be broken down by variant. */
export interface EntityFormat {
  readonly script: DigitScript;
  readonly separator: Separator | 'n/a';
  /** A context word of the entity's type stands next to it. */
  readonly context: boolean;
  /** A letter touches the value with no space between. */
  readonly glued: boolean;
  /** Type-specific sub-format: pre-2020 / post-2020 RRN, phone country and form, IPv4/IPv6, … */
  readonly variant?: string;
}

export interface LabelledEntity {
  readonly type: CorpusEntityType;
  readonly start: number;
  readonly end: number;
  readonly format: EntityFormat;
}

/** A planted hard negative: any detection overlapping it is a false positive of this kind. */
export interface PlantedNegativeSpan {
  readonly kind: NegativeKind;
  readonly start: number;
  readonly end: number;
  readonly resembles?: CorpusEntityType;
}

export interface LabelledDocument {
  readonly id: string;
  readonly language: CorpusLanguage;
  readonly kind: DocumentKind;
  readonly text: string;
  readonly entities: readonly LabelledEntity[];
  readonly negatives: readonly PlantedNegativeSpan[];
}

export interface CorpusOptions {
  readonly seed: number;
  readonly documents: number;
  readonly languages?: readonly CorpusLanguage[];
}

/**
 * Each language's own identifiers, cycled so every type appears in the first few hundred documents.
 * The resident number comes twice: it has two variants (before and after October 2020) to measure.
 */
const homeTypesOf: Readonly<Record<CorpusLanguage, readonly CorpusEntityType[]>> = {
  ko: ['KR_RRN', 'KR_ARN', 'KR_RRN', 'KR_BRN', 'KR_PASSPORT', 'KR_DRIVER_LICENSE', 'PHONE'],
  th: ['TH_ID', 'PHONE'],
  id: ['ID_NIK', 'PHONE'],
  vi: ['VN_CCCD', 'PHONE'],
  tl: ['PH_PCN', 'PH_TIN', 'PHONE'],
  ar: ['SA_NID', 'AE_EID', 'PHONE', 'IBAN'],
  ja: ['JP_MY_NUMBER', 'PHONE'],
  en: ['SG_NRIC', 'EMAIL', 'CREDIT_CARD', 'IBAN', 'IP_ADDRESS', 'PHONE'],
};
const contactTypes: readonly CorpusEntityType[] = ['PHONE', 'EMAIL', 'CREDIT_CARD', 'IBAN', 'IP_ADDRESS'];

interface Value {
  readonly text: string;
  readonly separator: Separator | 'n/a';
  readonly script: DigitScript;
  readonly variant?: string;
}

function entityValue(type: CorpusEntityType, language: CorpusLanguage, script: DigitScript, random: Random): Value {
  if (type === 'EMAIL') return { text: generateEmail(language, random), separator: 'n/a', script: 'ascii' };
  if (type === 'IP_ADDRESS') {
    const ip = generateIpAddress(random);
    return { text: ip.text, separator: 'n/a', script: 'ascii', variant: ip.variant };
  }
  if (type === 'PHONE') {
    // A quarter of the numbers are from elsewhere in the region: people quote foreign contacts.
    const country = random.pick(random.chance(0.25) ? phoneCountriesOf.en : phoneCountriesOf[language]);
    const phone = generatePhone(country, random);
    return { text: toScript(phone.text, script), separator: 'n/a', script, variant: `${phone.country}-${phone.variant}` };
  }
  const id = generateId(type, random);
  const separator = random.pick(id.separators);
  // IBANs keep Latin digits unless the keyboard is full-width: banks print them so.
  const idScript = type === 'IBAN' && script !== 'fullwidth' ? 'ascii' : script;
  const text = toScript(grouped(id.compact, id.groups, separator), idScript);
  return id.variant === undefined ? { text, separator, script: idScript } : { text, separator, script: idScript, variant: id.variant };
}

/** What one slot of a template becomes. */
interface Slot {
  readonly value: string;
  /** Context word, or undefined when the document leaves it out. */
  readonly label?: string;
  readonly joiner: string;
  readonly entity?: { readonly type: CorpusEntityType; readonly value: Value };
  readonly negative?: { readonly kind: NegativeKind; readonly resembles?: CorpusEntityType };
}

const latinTail = /[A-Za-z.\s]$/;

function joinerFor(kind: DocumentKind, language: CorpusLanguage, label: string, random: Random): string {
  const joiners = kind === 'log' ? ['=', ': ', ' '] : [': ', ' ', ':'];
  // Gluing only where the context word ends in the local script: "주민번호9710…", not "IBANSA03…".
  if (gluingLanguages.has(language) && !latinTail.test(label)) joiners.push('', '');
  return random.pick(joiners);
}

/**
 * Values with no check digit and nothing in their format to tell them from other numbers: a
 * Vietnamese CCCD (12 digits that are as well a My Number, a tracking number or an Indonesian
 * mobile), a PhilSys card number (any 16 digits, so every mistyped card number), a Korean driver
 * licence written without its 2-2-6-2 grouping, a Singapore phone number written without +65 as
 * eight bare digits. Real documents name such values ("CCCD:", "PCN", "면허번호", "tel"), and no
 * detector can find them otherwise without flagging every order number, so the corpus always
 * writes their context word, naming a foreign one in English when the language has no word for it.
 * Grouped driver licences and Singapore numbers, and every checksummed type, still go bare 30% of
 * the time, and the hard negatives still sit under those same words.
 */
function needsContextWord(type: CorpusEntityType, value: Value): boolean {
  if (type === 'VN_CCCD' || type === 'PH_PCN') return true;
  if (type === 'KR_DRIVER_LICENSE') return value.separator === '';
  return type === 'PHONE' && value.variant === 'SG-national' && /^[0-9\uff10-\uff19\u0e50-\u0e59\u0660-\u0669\u06f0-\u06f9]+$/.test(value.text);
}

function entitySlot(type: CorpusEntityType, language: CorpusLanguage, kind: DocumentKind, script: DigitScript, random: Random): Slot {
  const value = entityValue(type, language, script, random);
  const forced = needsContextWord(type, value);
  if (!forced && !random.chance(0.7)) return { value: value.text, joiner: '', entity: { type, value } };
  const words = contextWordsOf[language][type] ?? (forced ? contextWordsOf.en[type] : undefined);
  const label = random.pick(words ?? [genericWordOf[language].label]);
  return { value: value.text, label, joiner: joinerFor(kind, language, label, random), entity: { type, value } };
}

function negativeSlot(kind: NegativeKind, language: CorpusLanguage, documentKind: DocumentKind, script: DigitScript, random: Random): Slot {
  const negative = generateNegative(kind, language, random);
  const value = toScript(negative.text, script);
  const resembles = negative.resembles;
  const tag = resembles === undefined ? { kind } : { kind, resembles };
  if (!random.chance(0.6)) return { value, joiner: '', negative: tag };
  // A wrong check digit sits half the time under its type's own context word: the hardest case.
  const label =
    resembles !== undefined
      ? random.chance(0.5)
        ? random.pick(contextWordsOf[language][resembles] ?? [genericWordOf[language].label])
        : genericWordOf[language].label
      : negativeWordsOf[language][kind as Exclude<NegativeKind, 'bad-check-digit'>];
  return { value, label, joiner: joinerFor(documentKind, language, label, random), negative: tag };
}

const slotPattern = /\{([abnmtp])(?:\.([vl]))?\}/g;

function render(template: string, slots: Readonly<Record<string, Slot>>, document: { id: string; language: CorpusLanguage; kind: DocumentKind }): LabelledDocument {
  let text = '';
  let last = 0;
  const placed: { slot: Slot; start: number; end: number }[] = [];
  for (const match of template.matchAll(slotPattern)) {
    text += template.slice(last, match.index);
    last = match.index + match[0].length;
    const slot = slots[match[1] as string];
    if (slot === undefined) continue;
    const part = match[2];
    if (part === 'l') {
      text += slot.label ?? genericWordOf[document.language].header;
      continue;
    }
    if (part === undefined && slot.label !== undefined) text += slot.label + slot.joiner;
    // CSV quotes a field holding a comma (amounts); the quotes stay outside the span.
    const quote = document.kind === 'csv' && part === 'v' && slot.value.includes(',') ? '"' : '';
    text += quote;
    placed.push({ slot, start: text.length, end: text.length + slot.value.length });
    text += slot.value + quote;
  }
  text += template.slice(last);
  const entities: LabelledEntity[] = [];
  const negatives: PlantedNegativeSpan[] = [];
  for (const { slot, start, end } of placed) {
    if (slot.entity !== undefined) {
      const { value, type } = slot.entity;
      const glued = /\p{L}/u.test(text.charAt(start - 1)) || /\p{L}/u.test(text.charAt(end));
      const format: EntityFormat = { script: value.script, separator: value.separator, context: slot.label !== undefined, glued, ...(value.variant === undefined ? {} : { variant: value.variant }) };
      entities.push({ type, start, end, format });
    } else if (slot.negative !== undefined) {
      negatives.push({ ...slot.negative, start, end });
    }
  }
  return { ...document, text, entities, negatives };
}

export function generateCorpus(options: CorpusOptions): LabelledDocument[] {
  const languages = options.languages ?? corpusLanguages;
  if (languages.length === 0) throw new Error('generateCorpus needs at least one language');
  const random = seededRandom(options.seed);
  const documents: LabelledDocument[] = [];
  for (let index = 0; index < options.documents; index += 1) {
    const language = languages[index % languages.length] as CorpusLanguage;
    const round = Math.floor(index / languages.length);
    const home = homeTypesOf[language];
    const kind = random.pick(documentKinds);
    const script = pickScript(language, random);
    const primary = home[round % home.length] as CorpusEntityType;
    // Mostly contact data beside the ID; sometimes a foreigner's ID from elsewhere in the region.
    const secondary = random.chance(0.2) ? random.pick(corpusEntityTypes) : random.pick(contactTypes);
    const slots: Record<string, Slot> = {
      a: entitySlot(primary, language, kind, script, random),
      b: entitySlot(secondary, language, kind, script, random),
      n: negativeSlot(negativeKinds[index % negativeKinds.length] as NegativeKind, language, kind, script, random),
      m: negativeSlot(random.pick(negativeKinds), language, kind, script, random),
      t: { value: toScript(timestamp(random), random.chance(0.8) ? 'ascii' : script), joiner: '', negative: { kind: 'date' } },
      p: { value: random.pick(namesOf[language]), joiner: '' },
    };
    const template = random.pick(templatesOf[language][kind]);
    documents.push(render(template, slots, { id: `doc-${String(index).padStart(6, '0')}`, language, kind }));
  }
  return documents;
}
