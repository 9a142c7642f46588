import type { Catalogue } from '../../index.js';

export const patient: Catalogue['patient'] = {};
