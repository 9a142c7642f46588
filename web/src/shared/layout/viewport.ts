/**
 * The part of the screen the on-screen keyboard leaves free. Browsers that shrink the layout for
 * the keyboard (interactive-widget=resizes-content) need none of this; iOS Safari only shrinks the
 * visual viewport, so the page's height follows it (--viewport-height, read by layout.css) and the
 * composer stays above the keyboard.
 */
export function followVisualViewport(): void {
  const viewport = window.visualViewport;
  if (!viewport) return;
  const root = document.documentElement;
  const update = () => {
    // Pinch-zoom shrinks the visual viewport too; the page keeps its size then.
    if (Math.abs(viewport.scale - 1) > 0.01) return;
    root.style.setProperty('--viewport-height', `${Math.round(viewport.height)}px`);
  };
  viewport.addEventListener('resize', update);
  update();
}
