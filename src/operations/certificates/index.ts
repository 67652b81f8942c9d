import type { IotService } from '../../generated/service.js';

/** The certificates family's operations. */
export const certificatesOperations: Partial<IotService> = {};
