/**
 * The box every table sits in. A table wider than the page (many columns, a narrow screen, longer
 * words in another language) scrolls sideways inside it instead of being cut off, with a scrollbar
 * that stays visible (styles.css: overlay scrollbars would hide it until scrolled, so nobody would
 * know the columns past the edge exist) and a shadow on the side where more is hidden. It is a named
 * region in the tab order, so that keyboard users can scroll it with the arrow keys.
 */
import type { ReactNode } from 'react';

export function TableScroll({ label, children }: { label: string | undefined; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
