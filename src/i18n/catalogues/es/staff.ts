import type { Catalogue } from '../../index.js';

export const staff: Catalogue['staff'] = {};
