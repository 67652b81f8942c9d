import type { IotService } from '../../generated/service.js';

/** The policies family's operations. */
export const policiesOperations: Partial<IotService> = {};
