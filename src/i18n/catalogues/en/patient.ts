/** Everything the product says to patients: portal, guest thread, public page, their emails and automatic texts. */
export const patient = {};
