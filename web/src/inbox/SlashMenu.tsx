import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { slashCommands, type ArtifactKind } from '../../../src/artifacts/rules';
import { api } from '../shared/api';
import { when } from '../shared/format';

export interface Artifact {
  id: string;
  kind: ArtifactKind;
  title: string;
  occurredAt: string | null;
  amountCents: number | null;
  currency: string | null;
}

/** K4's request shortcuts, beside K3's artifact ones. */
const requestCommands = ['/pay', '/review'] as const;

/** The shortcut being typed ("/", "/ap"), or null once a space or other text follows. */
export const typedShortcut = (text: string): string | null => (/^\/\w*$/.test(text) ? text : null);

/**
 * Seed 003: "/" opens the shortcuts — /appt, /invoice, /rx, /plan, /form with this patient's
 * matching items to pick from, and /pay, /review — filtered as the shortcut is typed.
 */
export function SlashMenu({ contactId, typed, onPick }: { contactId: string; typed: string; onPick: (command: string, artifact?: Artifact) => void }) {
  const { t } = useTranslation('staff');
  const artifacts = useQuery({ queryKey: ['artifacts', contactId, 'all'], queryFn: () => api<{ items: Artifact[] }>(`/api/v1/contacts/${contactId}/artifacts?limit=50`) });
  const commands = Object.entries(slashCommands).filter(([command]) => command.startsWith(typed));
  const requests = requestCommands.filter((command) => command.startsWith(typed));
  if (!commands.length && !requests.length) return null;
  return (
    <div className="slash-menu" role="menu" aria-label={t('slash.label')}>
      {commands.map(([command, kind]) => {
        const items = (artifacts.data?.items ?? []).filter((a) => a.kind === kind).slice(0, 3);
        return (
          <div key={command} role="group" aria-label={t(`cards.${kind}`)}>
            <p className="slash-title"><strong>{command}</strong> {t(`cards.${kind}`)}</p>
            {items.length === 0 ? (
              <p className="sub">{artifacts.isLoading ? t('composer.lookingUp') : t(`composer.noCard.${kind}`)}</p>
            ) : (
              items.map((a) => (
                <button key={a.id} type="button" role="menuitem" className="secondary" onClick={() => onPick(command, a)}>
                  {a.title}
                  {a.occurredAt ? ` · ${when(a.occurredAt)}` : ''}
                </button>
              ))
            )}
          </div>
        );
      })}
      {requests.map((command) => (
        <button key={command} type="button" role="menuitem" className="secondary" onClick={() => onPick(command)}>
          <strong>{command}</strong> {t(`slash.${command === '/pay' ? 'pay' : 'review'}`)}
        </button>
      ))}
    </div>
  );
}
