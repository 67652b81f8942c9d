import type { Context } from '../../context/context.js';
import { NotConfiguredException } from '../../generated/errors.js';
import type { GetV2LoggingOptionsRequest, GetV2LoggingOptionsResponse, LogEventConfiguration, LogLevel } from '../../generated/shapes.js';

/** Before the first SetV2LoggingOptions there is nothing to return: NotConfiguredException (404), as the API reference lists. */
export async function GetV2LoggingOptions(_input: GetV2LoggingOptionsRequest, ctx: Context): Promise<GetV2LoggingOptionsResponse> {
  const o = await ctx.store.repos.logging.getV2(ctx);
  if (!o) throw new NotConfiguredException(`V2 logging options are not configured in ${ctx.region}; call SetV2LoggingOptions first.`);
  return {
    roleArn: o.roleArn,
    defaultLogLevel: o.defaultLogLevel as LogLevel | undefined,
    disableAllLogs: o.disableAllLogs,
    eventConfigurations: o.eventConfigurations as LogEventConfiguration[] | undefined,
  };
}
