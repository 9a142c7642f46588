import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * S4: an email's HTML as the server sanitised it (sanitize-html: no scripts, styles or forms; links
 * open in a new tab without a referrer). Remote images wait in data-remote-src until staff ask for
 * them: loading one tells the sender the mail was read, and when.
 */
export function EmailHtml({ html }: { html: string }) {
  const { t } = useTranslation('staff');
  const box = useRef<HTMLDivElement>(null);
  const [load, setLoad] = useState(false);
  const remote = (html.match(/data-remote-src=/g) ?? []).length;
  useEffect(() => {
    if (!load) return;
    box.current?.querySelectorAll<HTMLImageElement>('img[data-remote-src]').forEach((img) => img.setAttribute('src', img.dataset.remoteSrc!));
  }, [load, html]);
  return (
    <div className="email-html">
      <div ref={box} className="body html" dangerouslySetInnerHTML={{ __html: html }} />
      {remote > 0 && !load && (
        <p className="sub">
          {t('emailHtml.remote', { count: remote })}{' '}
          <button type="button" className="link" onClick={() => setLoad(true)}>{t('emailHtml.load')}</button>
        </p>
      )}
    </div>
  );
}
