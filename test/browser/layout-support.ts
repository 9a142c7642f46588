/** Layout checks the responsive browser tests share: what sticks out of the screen, what is too small to tap. */
import type { Page } from 'playwright-core';

export const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;

/**
 * Whether the page scrolls sideways, and every visible element whose visible part (after the
 * clipping of its scrolling or hidden-overflow ancestors) reaches past the right edge of the screen:
 * a Send button cut off by a pane that is too wide counts, a wide table inside its own scroller
 * does not.
 */
export function overflow(page: Page): Promise<{ scrollWidth: number; width: number; offscreen: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const offscreen: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      let right = rect.right;
      let left = rect.left;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') {
          const r = a.getBoundingClientRect();
          right = Math.min(right, r.right);
          left = Math.max(left, r.left);
        }
      }
      if (right > width + 1 && right > left) offscreen.push(`${describe(el)} reaches ${Math.round(right)}px`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, offscreen: offscreen.slice(0, 10) };
  });
}

/** Controls on screen smaller than 44×44 px to tap: buttons, links, fields, and checkboxes by their label. */
export function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    const controls = document.querySelectorAll('button, a[href], select, textarea, input:not([type=hidden]), [role=menuitem], [role=tab]');
    for (const el of Array.from(controls)) {
      const target = el.matches('input[type=checkbox], input[type=radio]') ? (el.closest('label') ?? el) : el;
      const rect = target.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      // A link inside a sentence is exempt (WCAG 2.5.8's inline exception).
      if (el.matches('a') && el.closest('p, li') && !el.closest('nav')) continue;
      if (rect.bottom < 0 || rect.top > window.innerHeight) continue;
      if (rect.height < 44 || rect.width < 44) small.push(`${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(rect.width)}×${Math.round(rect.height)}`);
    }
    return small;
  });
}
