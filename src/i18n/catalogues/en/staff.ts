/** The staff app and the emails staff receive. */
export const staff = {};
