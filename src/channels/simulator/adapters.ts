/**
 * S5's simulator: a provider for every channel that works offline. Outbound messages are accepted
 * (and so recorded in delivery_attempts, listed at /api/v1/simulator/outbox) and reported delivered
 * at once; numbers for the two-way inbox are made up.
 */
import { randomUUID } from 'node:crypto';
import type { Addressing, ChannelAdapter, NumberProvider, OutboundEnvelope, SendOutcome } from '../types.js';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';

/** Stands in for a channel's provider, addressed as that channel's real adapter is. */
export function simulatorAdapter(channel: string, addressing: Addressing): ChannelAdapter {
  return {
    channel,
    addressing,
    provider: 'simulator',
    deliversInstantly: true,
    async send(envelope: OutboundEnvelope): Promise<SendOutcome> {
      return { kind: 'sent', providerMessageId: channel === 'email' ? (envelope.email?.messageIdHeader ?? `<${randomUUID()}@simulator>`) : `SIM${randomUUID().replace(/-/g, '')}` };
    },
  };
}

export const simulatorNumbers: NumberProvider = {
  provider: 'simulator',
  async available({ country, areaCode }) {
    if (country === 'US' || country === 'CA') {
      return Array.from({ length: 5 }, (_, i) => ({ phoneNumber: `+1${areaCode ?? '415'}555${String(110 + i * 7).padStart(4, '0')}`, locality: `Simulated, ${country}` }));
    }
    // Elsewhere: the country's own example mobile number, varied in its last digits.
    const example = getExampleNumber(country as CountryCode, examples);
    if (!example) return [];
    const national = example.nationalNumber;
    return Array.from({ length: 5 }, (_, i) => ({ phoneNumber: `+${example.countryCallingCode}${national.slice(0, -2)}${String(10 + i * 7).padStart(2, '0')}`, locality: `Simulated, ${country}` }));
  },
  async buy(phoneNumber) {
    return { externalId: `SIMPN${randomUUID().replace(/-/g, '')}`, phoneNumber };
  },
  async release() {},
  async owned() {
    return [
      { externalId: 'SIMPNfrontdesk', phoneNumber: '+14155550190', friendlyName: 'Front desk line', smsUrl: null, smsCapable: true },
      { externalId: 'SIMPNfax', phoneNumber: '+14155550191', friendlyName: 'Fax', smsUrl: null, smsCapable: false },
    ];
  },
  async point() {},
  async detach() {},
};
