/** How a number is shown; the small metadata is enough for formatting, so the web app loads that, not the full set. */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * A stored E.164 number as people read it: national format at home ("(415) 555-0134"),
 * international abroad ("+44 20 7946 0958"). Without a home (a clinic's own number on its public
 * page), the number's own country is home.
 */
export function displayPhone(e164: string, homeCountry?: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return !homeCountry || parsed.country === homeCountry ? parsed.formatNational() : parsed.formatInternational();
}
