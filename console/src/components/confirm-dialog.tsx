/**
 * A modal confirmation on the native <dialog>: the page behind is inert while it is open, Tab stays
 * inside it, Escape cancels, and focus goes back where it was when it closes.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useMessages } from '../i18n/index.js';
import { componentMessages } from './messages.js';

export interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children?: ReactNode;
  readonly confirmLabel?: string | undefined;
  /** A destructive action: the confirm button is drawn as a warning. */
  readonly danger?: boolean | undefined;
  /** While the action runs: buttons disabled. */
  readonly busy?: boolean | undefined;
  onConfirm(): void;
  onCancel(): void;
}

const focusable = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function ConfirmDialog({ open, title, children, confirmLabel, danger, busy, onConfirm, onCancel }: ConfirmDialogProps) {
  const t = useMessages(componentMessages);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const cancelRef = useRef(onCancel);
  cancelRef.current = onCancel;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null || !open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // The first field, else Cancel: the safe choice gets focus, never the destructive one.
    const first = dialog.querySelector('.dialog-body')?.querySelector<HTMLElement>(focusable) ?? dialog.querySelector<HTMLElement>('[data-testid="confirm-cancel"]');
    first?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') return;
      const items = [...dialog.querySelectorAll<HTMLElement>(focusable)];
      const head = items[0];
      const tail = items[items.length - 1];
      if (head === undefined || tail === undefined) return;
      if (event.shiftKey && document.activeElement === head) {
        event.preventDefault();
        tail.focus();
      } else if (!event.shiftKey && document.activeElement === tail) {
        event.preventDefault();
        head.focus();
      }
    };
    const onCancelEvent = (event: Event) => {
      // Escape: React state decides whether the dialog is open, so close it through onCancel.
      event.preventDefault();
      cancelRef.current();
    };
    dialog.addEventListener('keydown', onKey);
    dialog.addEventListener('cancel', onCancelEvent);
    return () => {
      dialog.removeEventListener('keydown', onKey);
      dialog.removeEventListener('cancel', onCancelEvent);
      if (dialog.open) dialog.close();
      if (opener?.isConnected === true) opener.focus();
    };
  }, [open]);

  if (!open) return null;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (busy !== true) onConfirm();
        }}
      >
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="confirm-cancel" disabled={busy === true} onClick={onCancel}>
            {t('cancel')}
          </button>
          <button type="submit" className={`button ${danger === true ? 'button-danger' : 'button-primary'}`} data-testid="confirm-ok" disabled={busy === true}>
            {confirmLabel ?? t('ok')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
