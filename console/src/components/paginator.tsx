/** Previous / next through a list, with where one is in it ("51–100 of 230"). */
import { useFormat, useMessages } from '../i18n/index.js';
import { componentMessages } from './messages.js';

export interface PaginatorProps {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
  onChange(offset: number): void;
}

export function Paginator({ offset, limit, total, onChange }: PaginatorProps) {
  const t = useMessages(componentMessages);
  const format = useFormat();
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="paginator" aria-label={t('pagination')}>
      <button type="button" className="button" disabled={offset <= 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        <span aria-hidden="true" className="flip">‹ </span>
        {t('previous')}
      </button>
      <span className="paginator-range" aria-live="polite">
        {t('range', { from: format.number(first), to: format.number(last), total: format.number(total) })}
      </span>
      <button type="button" className="button" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        {t('next')}
        <span aria-hidden="true" className="flip"> ›</span>
      </button>
    </nav>
  );
}

/** Pages of a list held whole in the browser (when the server does not paginate it). */
export function pageOf<T>(rows: readonly T[], offset: number, limit: number): readonly T[] {
  return rows.slice(offset, offset + limit);
}
