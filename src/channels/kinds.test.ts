import { describe, expect, it } from 'vitest';
import { optOutFlag, providerChannels } from './kinds.js';

describe("a channel's opt-out flag", () => {
  it.each([
    ['sms', 'optedOutSms'],
    ['whatsapp', 'optedOutWhatsapp'],
    ['email', 'optedOutEmail'],
  ] as const)('%s opts out with %s', (channel, flag) => {
    expect(optOutFlag(channel)).toBe(flag);
  });

  it('is a different flag for every provider channel', () => {
    expect(new Set(providerChannels.map(optOutFlag)).size).toBe(providerChannels.length);
  });
});
