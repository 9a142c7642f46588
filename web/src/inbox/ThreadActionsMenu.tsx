import { useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '../shared/layout/Dialog';
import { Menu, type MenuItem } from '../shared/layout/Menu';
import { navigate } from '../shared/router';
import type { Me, Thread } from '../shared/types';

type Act = (path: string, body?: unknown) => Promise<void>;
type Asking = 'assign' | 'move' | 'spam' | 'block' | null;

/**
 * Everything one can do to a thread besides replying and closing, behind one "⋯" button on every
 * screen size; choosing a person or an inbox opens a small dialog with a labelled list, and what
 * cannot be undone in a click (block, spam) asks first.
 */
export function ThreadActionsMenu(props: { thread: Thread; me: Me; users: { id: string; name: string }[]; inboxes: { id: string; name: string }[]; act: Act; onLogCall: () => void; onBooking: () => void }) {
  const { thread: t, me, act } = props;
  const [asking, setAsking] = useState<Asking>(null);
  const base = `/api/v1/conversations/${t.id}`;
  const blockPath = `/api/v1/contacts/${t.contact.id}`;
  const done = () => setAsking(null);

  const items: (MenuItem | false)[] = [
    { label: 'Open the patient’s profile', onSelect: () => navigate(`/contacts/${t.contact.id}`) },
    { label: t.unread ? 'Mark read' : 'Mark unread', onSelect: () => act(`${base}/${t.unread ? 'read' : 'unread'}`) },
    t.assignee?.id !== me.user.id && { label: 'Assign to me', onSelect: () => act(`${base}/assign`, { userId: me.user.id }) },
    { label: 'Assign to…', onSelect: () => setAsking('assign') },
    t.assignee !== null && { label: 'Unassign', onSelect: () => act(`${base}/assign`, { userId: null }) },
    props.inboxes.length > 1 && { label: 'Move to another inbox…', onSelect: () => setAsking('move') },
    { label: t.pinned ? 'Unpin' : 'Pin to the top', onSelect: () => act(`${base}/${t.pinned ? 'unpin' : 'pin'}`) },
    { label: t.muted ? 'Unmute' : 'Mute notifications', onSelect: () => act(`${base}/${t.muted ? 'unmute' : 'mute'}`) },
    { label: t.archived ? 'Unarchive' : 'Archive', onSelect: () => act(`${base}/${t.archived ? 'unarchive' : 'archive'}`) },
    { label: 'Log a call', onSelect: props.onLogCall },
    { label: 'Record a booking', onSelect: props.onBooking },
    !t.spam && { label: 'Mark as spam…', danger: true, onSelect: () => setAsking('spam') },
    t.contact.blocked
      ? { label: 'Unblock the contact', onSelect: () => act(`${blockPath}/unblock`) }
      : { label: 'Block the contact…', danger: true, onSelect: () => setAsking('block') },
  ];

  return (
    <>
      <Menu label="Conversation actions" items={items.filter((i): i is MenuItem => Boolean(i))} />
      {asking === 'assign' && (
        <ChooseDialog
          title="Assign the conversation"
          label="Assign to"
          action="Assign"
          value={t.assignee?.id ?? ''}
          options={[['', 'Nobody (unassigned)'], ...props.users.map((u) => [u.id, u.id === me.user.id ? `${u.name} (me)` : u.name] as [string, string])]}
          onClose={done}
          onChoose={(userId) => act(`${base}/assign`, { userId: userId || null }).then(done)}
        />
      )}
      {asking === 'move' && (
        <ChooseDialog
          title="Move to another inbox"
          label="Inbox"
          action="Move"
          value={t.inboxId}
          options={props.inboxes.map((i) => [i.id, i.name] as [string, string])}
          onClose={done}
          onChoose={(inboxId) => act(`${base}/move`, { inboxId }).then(done)}
        />
      )}
      {asking === 'spam' && (
        <Confirm title={`Mark this conversation as spam?`} action="Mark as spam" keep="Keep it" onClose={done} onConfirm={() => act(`${base}/spam`).then(done)}>
          {t.contact.name} will be blocked and their private links will stop working.
        </Confirm>
      )}
      {asking === 'block' && (
        <Confirm title={`Block ${t.contact.name}?`} action="Block" keep="Keep talking" onClose={done} onConfirm={() => act(`${blockPath}/block`).then(done)}>
          Nothing they send will reach the inbox, and nothing will be sent to them, until someone unblocks them from this menu.
        </Confirm>
      )}
    </>
  );
}

function ChooseDialog(props: { title: string; label: string; action: string; value: string; options: [string, string][]; onClose: () => void; onChoose: (value: string) => Promise<void> }) {
  const [value, setValue] = useState(props.value);
  const id = `choose-${props.label.toLowerCase().replace(/\s+/g, '-')}`;
  function submit(e: FormEvent) {
    e.preventDefault();
    void props.onChoose(value);
  }
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={id}>{props.label}</label>
        <select id={id} value={value} onChange={(e) => setValue(e.target.value)} autoFocus>
          {props.options.map(([v, text]) => (
            <option key={v} value={v}>{text}</option>
          ))}
        </select>
        <div className="buttons">
          <button type="submit">{props.action}</button>
          <button type="button" className="secondary" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function Confirm(props: { title: string; action: string; keep: string; children: ReactNode; onClose: () => void; onConfirm: () => Promise<void> }) {
  return (
    <Dialog title={props.title} alert describedBy="confirm-detail" onClose={props.onClose}>
      <p id="confirm-detail">{props.children}</p>
      <div className="buttons">
        <button type="button" className="danger" onClick={() => void props.onConfirm()}>{props.action}</button>
        <button type="button" className="secondary" onClick={props.onClose} autoFocus>{props.keep}</button>
      </div>
    </Dialog>
  );
}
