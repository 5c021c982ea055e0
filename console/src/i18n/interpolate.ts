/**
 * Filling a message: `{name}` placeholders and ICU-style plural blocks
 * (`{count, plural, one {# event} other {# events}}`, forms chosen by Intl.PluralRules). No React
 * here, so that the Node tests can check it directly.
 */
const pluralBlock = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const pluralBranch = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;
const pluralRules = new Map<string, Intl.PluralRules>();

/** The branch of a plural block for `value` (a number, or a number already formatted for display). */
function pluralForm(branches: string, value: string | number, lang: string): string {
  const amount = typeof value === 'number' ? value : Number(value.replace(/[^\d.-]/g, ''));
  let rules = pluralRules.get(lang);
  if (rules === undefined) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  const category = Number.isFinite(amount) ? rules.select(amount) : 'other';
  const forms = new Map([...branches.matchAll(pluralBranch)].map((match) => [match[1] as string, match[2] as string]));
  const form = forms.get(`=${amount}`) ?? forms.get(category) ?? forms.get('other') ?? '';
  return form.replace(/#/g, String(value));
}

/** Fills `{name}` placeholders and plural blocks; an unknown placeholder stays as written, so a mistake shows. */
export function interpolate(template: string, vars: Record<string, string | number> | undefined, lang = 'en'): string {
  if (vars === undefined) return template;
  const plurals = template.includes(', plural,')
    ? template.replace(pluralBlock, (whole, name: string, branches: string) => {
        const value = vars[name];
        return value === undefined ? whole : pluralForm(branches, value, lang);
      })
    : template;
  return plurals.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

