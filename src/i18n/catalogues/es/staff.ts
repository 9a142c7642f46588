import type { Catalogue } from '../shape.js';

export const staff: Catalogue['staff'] = {};
