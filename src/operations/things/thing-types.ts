import type { Scope } from '../../base/scope.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { ThingTypeDefinition, ThingTypeProperties } from '../../generated/shapes.js';
import { awsError } from '../../registry/aws-messages.js';
import type { Repos } from '../../store/store.js';
import type { ThingTypeRecord } from '../../store/thing-types.js';

/** "Before you can delete a thing type, wait for five minutes after you deprecate it." (AWS guide) */
export const THING_TYPE_DELETE_WAIT_MS = 5 * 60 * 1000;

export async function existingThingType(db: Repos, scope: Scope, name: string): Promise<ThingTypeRecord> {
  const t = await db.thingTypes.get(scope, name);
  if (!t) throw new ResourceNotFoundException(`Thing type ${name} does not exist.`);
  return t;
}

/**
 * A type new things may use: it exists and is not deprecated ("You can not associate new things
 * with deprecated thing type"). AWS words the refusal differently for CreateThing and UpdateThing.
 */
export async function usableThingType(db: Repos, scope: Scope, name: string, by: 'CreateThing' | 'UpdateThing' = 'CreateThing'): Promise<ThingTypeRecord> {
  const t = await existingThingType(db, scope, name);
  if (t.deprecated) throw awsError(by === 'CreateThing' ? 'deprecatedThingTypeCreate' : 'deprecatedThingTypeUpdate', { thingTypeName: name });
  return t;
}

export const thingTypeDefinition = (t: ThingTypeRecord): Required<Pick<ThingTypeDefinition, 'thingTypeName' | 'thingTypeArn' | 'thingTypeProperties' | 'thingTypeMetadata'>> => ({
  thingTypeName: t.name,
  thingTypeArn: t.arn,
  thingTypeProperties: t.properties as ThingTypeProperties,
  thingTypeMetadata: { deprecated: t.deprecated, deprecationDate: t.deprecatedAt, creationDate: t.createdAt },
});
