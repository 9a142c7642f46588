import { useEffect, useRef, type ReactNode } from 'react';

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
