import { navigate } from '../router';

/** The server's `notification` event: it already decided this user is told, and what it may say (no health data). */
export interface StaffNotification {
  conversationId: string;
  title: string;
  body: string;
  sound: boolean;
}

/** The thread is on screen and the screen is looked at: the person already sees the message. */
function alreadyOnScreen(conversationId: string): boolean {
  return document.visibilityState === 'visible' && document.hasFocus() && new URLSearchParams(window.location.search).get('c') === conversationId;
}

/** Opens the thread in the app, from a notification's click. */
export function openThread(conversationId: string): void {
  window.focus();
  navigate(`/?c=${encodeURIComponent(conversationId)}`);
}

/** A desktop notification (where the user allowed them) and the chime (where they want it); a click opens the thread. */
export function showStaffNotification(n: StaffNotification): void {
  if (alreadyOnScreen(n.conversationId)) return;
  if (n.sound) chime();
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  // One notification per conversation: a second message replaces the first (tag).
  const shown = new Notification(n.title, { body: n.body, tag: `conversation-${n.conversationId}`, icon: '/icons/icon-192.png' });
  shown.onclick = () => {
    openThread(n.conversationId);
    shown.close();
  };
}

let audio: AudioContext | undefined;

/** Two short soft tones, made on the spot: no sound file to fetch or cache. */
export function chime(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.16, 1175]] as const) {
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = frequency;
      volume.gain.setValueAtTime(0.0001, start + offset);
      volume.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      tone.connect(volume).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.3);
    }
  } catch {
    // No audio (a browser without Web Audio, or autoplay refused before any click): the notification is enough.
  }
}
