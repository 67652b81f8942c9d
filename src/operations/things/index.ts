import type { IotService } from '../../generated/service.js';

/** The things family's operations. */
export const thingsOperations: Partial<IotService> = {};
