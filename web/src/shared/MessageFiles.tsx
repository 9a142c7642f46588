import { useTranslation } from 'react-i18next';
import { number } from './format';
import type { Message } from './types';

/** A message's files as staff see them: photos inline, voice messages and videos playable, the rest as a download. */
export function MessageFiles({ files }: { files: Message['attachments'] }) {
  const { t } = useTranslation('staff');
  return (
    <>
      {files.map((a) => {
        const src = `/api/v1/attachments/${a.id}`;
        if (a.contentType.startsWith('image/')) {
          return (
            <a key={a.id} href={src} target="_blank" rel="noreferrer">
              <img className="attachment-image" src={src} alt={t('files.photo', { file: a.filename })} />
            </a>
          );
        }
        if (a.contentType.startsWith('audio/')) return <audio key={a.id} className="attachment-media" controls preload="none" src={src} aria-label={t('files.voice', { file: a.filename })} />;
        if (a.contentType.startsWith('video/')) return <video key={a.id} className="attachment-media" controls preload="metadata" src={src} aria-label={t('files.video', { file: a.filename })} />;
        return (
          <a key={a.id} className="attachment" href={src} target="_blank" rel="noreferrer">
            {t('files.attachment', { file: a.filename, size: number(Math.ceil(a.size / 1024)) })}
          </a>
        );
      })}
    </>
  );
}
