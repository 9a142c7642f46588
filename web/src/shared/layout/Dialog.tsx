import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

const focusable = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Tab from the last field goes to the first and Shift+Tab from the first to the last: showModal()
 * makes the page inert, but the browser would still let Tab leave for its own toolbar.
 */
function keepFocusInside(e: KeyboardEvent<HTMLDialogElement>) {
  if (e.key !== 'Tab') return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>(focusable)].filter((el) => el.offsetParent !== null);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}


/**
 * A modal dialog on the browser's own <dialog>: showModal() makes the rest of the page inert (focus
 * stays inside), Escape closes it, and focus goes back where it was. `alert` is for confirmations
 * of something that cannot be undone; `sheet` slides it up from the bottom of a phone's screen.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; alert?: boolean; sheet?: boolean; describedBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    return () => {
      dialog.close();
      opener?.focus();
    };
  }, []);
  const titleId = `dialog-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <dialog
      ref={ref}
      className={`modal${props.sheet ? ' sheet' : ''}`}
      role={props.alert ? 'alertdialog' : undefined}
      aria-labelledby={titleId}
      aria-describedby={props.describedBy}
      onKeyDown={keepFocusInside}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="modal-body">
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
      </div>
    </dialog>
  );
}
