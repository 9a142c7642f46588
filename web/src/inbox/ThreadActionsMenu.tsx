import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('staff');
  const { thread: th, me, act } = props;
  const [asking, setAsking] = useState<Asking>(null);
  const base = `/api/v1/conversations/${th.id}`;
  const blockPath = `/api/v1/contacts/${th.contact.id}`;
  const done = () => setAsking(null);

  const items: (MenuItem | false)[] = [
    { label: t('actions.openProfile'), onSelect: () => navigate(`/contacts/${th.contact.id}`) },
    { label: th.unread ? t('inbox.bulk.markRead') : t('inbox.bulk.markUnread'), onSelect: () => act(`${base}/${th.unread ? 'read' : 'unread'}`) },
    th.assignee?.id !== me.user.id && { label: t('actions.assignToMe'), onSelect: () => act(`${base}/assign`, { userId: me.user.id }) },
    { label: t('actions.assignTo'), onSelect: () => setAsking('assign') },
    th.assignee !== null && { label: t('actions.unassign'), onSelect: () => act(`${base}/assign`, { userId: null }) },
    props.inboxes.length > 1 && { label: t('actions.move'), onSelect: () => setAsking('move') },
    { label: th.pinned ? t('actions.unpin') : t('actions.pin'), onSelect: () => act(`${base}/${th.pinned ? 'unpin' : 'pin'}`) },
    { label: th.muted ? t('actions.unmute') : t('actions.mute'), onSelect: () => act(`${base}/${th.muted ? 'unmute' : 'mute'}`) },
    { label: th.archived ? t('actions.unarchive') : t('actions.archive'), onSelect: () => act(`${base}/${th.archived ? 'unarchive' : 'archive'}`) },
    { label: t('thread.call.label'), onSelect: props.onLogCall },
    { label: t('thread.booking.label'), onSelect: props.onBooking },
    !th.spam && { label: t('actions.spam'), danger: true, onSelect: () => setAsking('spam') },
    th.contact.blocked
      ? { label: t('actions.unblock'), onSelect: () => act(`${blockPath}/unblock`) }
      : { label: t('actions.block'), danger: true, onSelect: () => setAsking('block') },
  ];

  return (
    <>
      <Menu label={t('actions.label')} items={items.filter((i): i is MenuItem => Boolean(i))} />
      {asking === 'assign' && (
        <ChooseDialog
          name="assign"
          title={t('actions.assignTitle')}
          label={t('actions.assignLabel')}
          action={t('actions.assign')}
          value={th.assignee?.id ?? ''}
          options={[['', t('actions.nobody')], ...props.users.map((u) => [u.id, u.id === me.user.id ? t('actions.me', { name: u.name }) : u.name] as [string, string])]}
          onClose={done}
          onChoose={(userId) => act(`${base}/assign`, { userId: userId || null }).then(done)}
        />
      )}
      {asking === 'move' && (
        <ChooseDialog
          name="inbox"
          title={t('actions.moveTitle')}
          label={t('inbox.filters.inbox')}
          action={t('actions.moveAction')}
          value={th.inboxId}
          options={props.inboxes.map((i) => [i.id, i.name] as [string, string])}
          onClose={done}
          onChoose={(inboxId) => act(`${base}/move`, { inboxId }).then(done)}
        />
      )}
      {asking === 'spam' && (
        <Confirm title={t('actions.spamTitle')} action={t('actions.spamAction')} keep={t('actions.keep')} onClose={done} onConfirm={() => act(`${base}/spam`).then(done)}>
          {t('actions.spamText', { name: th.contact.name })}
        </Confirm>
      )}
      {asking === 'block' && (
        <Confirm title={t('actions.blockTitle', { name: th.contact.name })} action={t('actions.blockAction')} keep={t('actions.keepTalking')} onClose={done} onConfirm={() => act(`${blockPath}/block`).then(done)}>
          {t('actions.blockText')}
        </Confirm>
      )}
    </>
  );
}

function ChooseDialog(props: { name: string; title: string; label: string; action: string; value: string; options: [string, string][]; onClose: () => void; onChoose: (value: string) => Promise<void> }) {
  const { t } = useTranslation('staff');
  const [value, setValue] = useState(props.value);
  const id = `choose-${props.name}`;
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
          <button type="button" className="secondary" onClick={props.onClose}>{t('actions.cancel')}</button>
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
