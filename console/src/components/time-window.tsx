/** The time window of the insight pages: the last hour, day, week or month, up to now. */
import { useId, useMemo, useState } from 'react';
import { useMessages } from '../i18n/index.js';
import { componentMessages } from './messages.js';

export type WindowId = '1h' | '24h' | '7d' | '30d';

const windows: readonly WindowId[] = ['1h', '24h', '7d', '30d'];
const spanMs: Readonly<Record<WindowId, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
/** Buckets small enough to show a shape, few enough to draw quickly (60, 24, 168 and 30 points). */
const bucketOf: Readonly<Record<WindowId, 'minute' | 'hour' | 'day'>> = { '1h': 'minute', '24h': 'hour', '7d': 'hour', '30d': 'day' };

export interface TimeWindowState {
  readonly id: WindowId;
  readonly from: string;
  readonly to: string;
  readonly bucket: 'minute' | 'hour' | 'day';
  setId(id: WindowId): void;
  /** Moves the window's end to now. */
  refresh(): void;
}

/** `from`/`to` are fixed when the window is chosen (or refreshed), so that renders do not refetch. */
export function useTimeWindow(initial: WindowId = '24h'): TimeWindowState {
  const [id, setIdState] = useState<WindowId>(initial);
  const [end, setEnd] = useState(() => Date.now());
  return useMemo(
    () => ({
      id,
      from: new Date(end - spanMs[id]).toISOString(),
      to: new Date(end).toISOString(),
      bucket: bucketOf[id],
      setId: (next: WindowId) => {
        setIdState(next);
        setEnd(Date.now());
      },
      refresh: () => setEnd(Date.now()),
    }),
    [id, end],
  );
}

export function WindowPicker({ window }: { window: TimeWindowState }) {
  const t = useMessages(componentMessages);
  const selectId = useId();
  const labels: Readonly<Record<WindowId, string>> = { '1h': t('window1h'), '24h': t('window24h'), '7d': t('window7d'), '30d': t('window30d') };
  return (
    <div className="window-picker">
      <label htmlFor={selectId}>{t('window')}</label>
      <select id={selectId} value={window.id} onChange={(event) => window.setId(event.target.value as WindowId)}>
        {windows.map((id) => (
          <option key={id} value={id}>
            {labels[id]}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={window.refresh}>
        {t('refresh')}
      </button>
    </div>
  );
}
