import type { Context } from '../../context/context.js';
import type { SetV2LoggingOptionsRequest } from '../../generated/shapes.js';
import { setV2LoggingOptions } from '../../registry/logging.js';

export async function SetV2LoggingOptions(input: SetV2LoggingOptionsRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => setV2LoggingOptions(tx, ctx, input));
}
