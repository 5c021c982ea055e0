/** The console's languages, messages and formats: import from here. */
export { LangProvider, useLang, languages, languageNames, isLang, directionOf, type Lang } from './lang.js';
export { defineMessages, useMessages, interpolate, translate, type Translations, type Translate } from './messages.js';
export { useFormat, makeFormat, formatFor, localeOf, type Format } from './format.js';
