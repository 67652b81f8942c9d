import type { Context } from '../../context/context.js';
import type { SetLoggingOptionsRequest } from '../../generated/shapes.js';
import { setV1LoggingOptions } from '../../registry/logging.js';

/** v1 logging; the body is the loggingOptionsPayload. */
export async function SetLoggingOptions(input: SetLoggingOptionsRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => setV1LoggingOptions(tx, ctx, input.loggingOptionsPayload));
}
