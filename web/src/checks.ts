import { ListMitigationActionsCommand, type MitigationActionType } from '@aws-sdk/client-iot';
import { iot } from './api';
import facts from './checks.json';
import { choices } from './model';

/**
 * Each audit check's severity and the mitigation action types it supports, as the server's check
 * registry states them (src/audit/checks/, src/audit/checks.ts, the settings of src/audit/configuration.ts); test/console/checks.test.ts fails
 * when this copy goes stale.
 */
export const CHECKS: Record<string, { severity: string | null; actions: string[]; settings?: Record<string, { min: number; max: number; default: number }> }> = facts;
export const CHECK_NAMES = Object.keys(CHECKS);
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
/** The mitigation action types, from the model's MitigationActionType enum. */
export const ACTION_TYPES = choices('ListMitigationActions', 'actionType');
/** AUDIT_CHECK_NAME → "Audit check name" */
export const pretty = (name: string): string => {
  const s = name.replace(/_CHECK$/, '').toLowerCase().replace(/_/g, ' ');
  return (s.charAt(0).toUpperCase() + s.slice(1)).replace(/\biot\b/gi, 'IoT').replace(/\bca\b/gi, 'CA');
};

/** Every mitigation action with its type: one ListMitigationActions page per type (the list does not tell types). */
export async function actionsWithTypes(): Promise<{ actionName: string; actionType: string }[]> {
  const pages = await Promise.all(ACTION_TYPES.map((t) => iot().send(new ListMitigationActionsCommand({ actionType: t as MitigationActionType, maxResults: 250 }))));
  return pages
    .flatMap((p, i) => (p.actionIdentifiers ?? []).map((a) => ({ actionName: a.actionName!, actionType: ACTION_TYPES[i] })))
    .sort((a, b) => a.actionName.localeCompare(b.actionName));
}
