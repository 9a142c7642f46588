import type { Catalogue } from '../shape.js';
import { common } from './common.js';
import { patient } from './patient.js';
import { staff } from './staff.js';

export const es: Catalogue = { common, patient, staff };
