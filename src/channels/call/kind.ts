/** M10: phone calls, which staff log in the thread; nothing is sent. */
import type { ChannelKind } from '../kind.js';

export const call = { name: 'call', label: 'phone call', provider: false, sending: null } as const satisfies ChannelKind;
