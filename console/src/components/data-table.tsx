/**
 * A plain, accessible table: a caption, column headers with scope, optional sorting from a button in
 * the header (reachable by keyboard, announced through aria-sort), and pages of 50 when the rows are
 * all in the browser. It sits in a TableScroll, so a table wider than the page scrolls sideways.
 */
import { useMemo, useState, type HTMLAttributes, type ReactNode } from 'react';
import { useMessages } from '../i18n/index.js';
import { componentMessages } from './messages.js';
import { Paginator } from './paginator.js';
import { TableScroll } from './table-scroll.js';

export interface Column<T> {
  readonly id: string;
  readonly header: ReactNode;
  /** Text of the header for the sort button's label, when `header` is not plain text. */
  readonly headerText?: string | undefined;
  readonly cell: (row: T) => ReactNode;
  /** Numbers align to the end of the cell, so that digits line up. */
  readonly numeric?: boolean | undefined;
  /** Present: the column can be sorted by it. */
  readonly sort?: ((a: T, b: T) => number) | undefined;
  /** The row's header cell (th scope="row") instead of a data cell. */
  readonly rowHeader?: boolean | undefined;
}

export interface DataTableProps<T> {
  readonly caption: ReactNode;
  /** The scrolling region's name when `caption` is not plain text. */
  readonly label?: string | undefined;
  /** Keep the caption for screen readers only (when a heading just above says the same). */
  readonly captionHidden?: boolean | undefined;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string;
  readonly rowProps?: ((row: T) => HTMLAttributes<HTMLTableRowElement> & { 'data-testid'?: string }) | undefined;
  /** Rows per page when the table pages itself; 0: all rows (the server pages them). */
  readonly pageSize?: number | undefined;
  readonly initialSort?: { readonly column: string; readonly descending: boolean } | undefined;
  readonly className?: string | undefined;
}

export function DataTable<T>({ caption, label, captionHidden, columns, rows, rowKey, rowProps, pageSize = 50, initialSort, className }: DataTableProps<T>) {
  const t = useMessages(componentMessages);
  const [sort, setSort] = useState(initialSort);
  const [offset, setOffset] = useState(0);

  const sorted = useMemo(() => {
    const column = sort === undefined ? undefined : columns.find((candidate) => candidate.id === sort.column);
    if (column?.sort === undefined || sort === undefined) return rows;
    const compare = column.sort;
    const copy = [...rows];
    copy.sort((a, b) => (sort.descending ? compare(b, a) : compare(a, b)));
    return copy;
  }, [rows, columns, sort]);

  const paged = pageSize > 0;
  // A shorter list (a new search) must not leave the page past its end.
  const start = paged && offset >= sorted.length ? 0 : offset;
  const visible = paged ? sorted.slice(start, start + pageSize) : sorted;

  const toggle = (id: string) => {
    setSort((current) => (current?.column === id ? { column: id, descending: !current.descending } : { column: id, descending: false }));
    setOffset(0);
  };

  return (
    <div className={`table-block ${className ?? ''}`}>
      <TableScroll label={typeof caption === 'string' ? caption : label}>
        <table className="data-table">
          <caption className={captionHidden === true ? 'visually-hidden' : undefined}>{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => {
                const sorting = sort?.column === column.id ? (sort.descending ? 'descending' : 'ascending') : undefined;
                return (
                  <th key={column.id} scope="col" className={column.numeric === true ? 'numeric' : undefined} aria-sort={column.sort === undefined ? undefined : (sorting ?? 'none')}>
                    {column.sort === undefined ? (
                      column.header
                    ) : (
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() => toggle(column.id)}
                        title={t('sortBy', { column: column.headerText ?? (typeof column.header === 'string' ? column.header : column.id) })}
                      >
                        {column.header}
                        <span aria-hidden="true" className="sort-mark">
                          {sorting === 'ascending' ? '▲' : sorting === 'descending' ? '▼' : '↕'}
                        </span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => (
              <tr key={rowKey(row)} {...rowProps?.(row)}>
                {columns.map((column) =>
                  column.rowHeader === true ? (
                    <th key={column.id} scope="row" className={column.numeric === true ? 'numeric' : undefined}>
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={column.id} className={column.numeric === true ? 'numeric' : undefined}>
                      {column.cell(row)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {paged ? <Paginator offset={start} limit={pageSize} total={sorted.length} onChange={setOffset} /> : null}
    </div>
  );
}

/** Comparators for the common cases. */
export const by = {
  text<T>(get: (row: T) => string | null | undefined): (a: T, b: T) => number {
    return (a, b) => (get(a) ?? '').localeCompare(get(b) ?? '');
  },
  number<T>(get: (row: T) => number | null | undefined): (a: T, b: T) => number {
    // An unknown value (null) counts as smaller than any number.
    return (a, b) => {
      const x = get(a);
      const y = get(b);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : -1;
      if (y === null || y === undefined) return 1;
      return x - y;
    };
  },
};
