import { useEffect, useRef, useState } from 'react';

/**
 * S4: an email's HTML as the server sanitised it (sanitize-html: no scripts, styles or forms; links
 * open in a new tab without a referrer). Remote images wait in data-remote-src until staff ask for
 * them: loading one tells the sender the mail was read, and when.
 */
export function EmailHtml({ html }: { html: string }) {
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
          {remote === 1 ? 'One picture from the internet is' : `${remote} pictures from the internet are`} not shown, so the sender cannot tell when this was read.{' '}
          <button type="button" className="link" onClick={() => setLoad(true)}>Load pictures</button>
        </p>
      )}
    </div>
  );
}
