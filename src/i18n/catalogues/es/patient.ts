import type { Catalogue } from '../shape.js';

export const patient: Catalogue['patient'] = {};
