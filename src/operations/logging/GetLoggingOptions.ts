import type { Context } from '../../context/context.js';
import type { GetLoggingOptionsRequest, GetLoggingOptionsResponse, LogLevel } from '../../generated/shapes.js';

/** v1 logging; before any SetLoggingOptions both members are absent (the model lists no not-configured error). */
export async function GetLoggingOptions(_input: GetLoggingOptionsRequest, ctx: Context): Promise<GetLoggingOptionsResponse> {
  const o = await ctx.store.repos.logging.getV1(ctx);
  return { roleArn: o?.roleArn, logLevel: o?.logLevel as LogLevel | undefined };
}
