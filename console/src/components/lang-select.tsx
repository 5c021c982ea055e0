/** The language selector: each language named in itself. */
import { useId } from 'react';
import { isLang, languageNames, languages, useLang, useMessages } from '../i18n/index.js';
import { shellMessages } from '../shell-messages.js';

export function LangSelect() {
  const { lang, setLang } = useLang();
  const t = useMessages(shellMessages);
  const id = useId();
  return (
    <div className="lang-select">
      <label htmlFor={id}>{t('language')}</label>
      <select
        id={id}
        data-testid="lang-select"
        value={lang}
        onChange={(event) => {
          if (isLang(event.target.value)) setLang(event.target.value);
        }}
      >
        {languages.map((code) => (
          <option key={code} value={code} lang={code}>
            {languageNames[code]}
          </option>
        ))}
      </select>
    </div>
  );
}
