/** A jurisdiction as people read it: the country's name in the current language, with its ISO code. */
import { useFormat } from '../i18n/index.js';

export function Jurisdiction({ code, short }: { code: string | null | undefined; short?: boolean }) {
  const format = useFormat();
  if (code === null || code === undefined || code === '') return <span className="muted">—</span>;
  const upper = code.toUpperCase();
  const name = format.region(upper);
  if (short === true) {
    return (
      <abbr title={name} className="jurisdiction">
        <code>{upper}</code>
      </abbr>
    );
  }
  if (name === upper) return <code className="jurisdiction">{upper}</code>;
  return (
    <span className="jurisdiction">
      {name} <code className="muted">{upper}</code>
    </span>
  );
}
