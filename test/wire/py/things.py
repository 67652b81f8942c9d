"""Things, thing types and thing groups against a freshly reset Warden server, through boto3.

Usage: python3 things.py <endpoint-url>

Runs under both the pyenv boto3 (1.43) and Debian's boto3 (1.26). It asserts nothing itself:
it prints ONE JSON object of observations on stdout, and test/wire/things.test.ts asserts on
them. Every call is recorded as {"ok": true, ...response} or {"ok": false, "code", "status", ...}.
"""

import json
import sys

import boto3
import botocore

from recorder import call, client

URL = sys.argv[1]

iot = client(URL)


obs = {'client': {'boto3': boto3.__version__, 'botocore': botocore.__version__, 'signingName': iot.meta.service_model.signing_name}}

# --- thing types and things -------------------------------------------------------------
obs['createType'] = call(iot.create_thing_type, thingTypeName='Lamp', thingTypeProperties={'searchableAttributes': ['watts']})
obs['createThing'] = call(iot.create_thing, thingName='lamp-1', thingTypeName='Lamp', attributePayload={'attributes': {'color': 'red', 'watts': '60'}})
obs['createThingAgain'] = call(iot.create_thing, thingName='lamp-1', thingTypeName='Lamp', attributePayload={'attributes': {'watts': '60', 'color': 'red'}})
obs['createThingConflict'] = call(iot.create_thing, thingName='lamp-1')
obs['createThingNoType'] = call(iot.create_thing, thingName='lamp-x', thingTypeName='Ghost')
for name, color in (('lamp-2', 'blue'), ('lamp-3', 'red')):
    iot.create_thing(thingName=name, attributePayload={'attributes': {'color': color}})
obs['describeThing'] = call(iot.describe_thing, thingName='lamp-1')
obs['updateThing'] = call(iot.update_thing, thingName='lamp-1', attributePayload={'attributes': {'watts': '', 'room': '7'}, 'merge': True}, expectedVersion=1)
obs['afterUpdate'] = call(iot.describe_thing, thingName='lamp-1')
obs['updateStale'] = call(iot.update_thing, thingName='lamp-1', expectedVersion=1, attributePayload={'attributes': {}})
obs['listRed'] = call(iot.list_things, attributeName='color', attributeValue='red')
obs['listPaged'] = [t['thingName'] for p in iot.get_paginator('list_things').paginate(PaginationConfig={'PageSize': 2}) for t in p['things']]
obs['describeType'] = call(iot.describe_thing_type, thingTypeName='Lamp')
obs['deprecate'] = call(iot.deprecate_thing_type, thingTypeName='Lamp')
obs['deleteTypeTooSoon'] = call(iot.delete_thing_type, thingTypeName='Lamp')
obs['listTypes'] = call(iot.list_thing_types)

# --- static groups ------------------------------------------------------------------------
obs['createSite'] = call(iot.create_thing_group, thingGroupName='site', tags=[{'Key': 'team', 'Value': 'a'}])
obs['createFloor'] = call(iot.create_thing_group, thingGroupName='floor', parentGroupName='site', thingGroupProperties={'attributePayload': {'attributes': {'level': '2'}}})
obs['createOther'] = call(iot.create_thing_group, thingGroupName='other')
obs['addByName'] = call(iot.add_thing_to_thing_group, thingName='lamp-1', thingGroupName='floor')
obs['addSameHierarchy'] = call(iot.add_thing_to_thing_group, thingName='lamp-1', thingGroupName='site')
obs['addByArn'] = call(iot.add_thing_to_thing_group, thingArn=obs['createThing'].get('thingArn'), thingGroupArn=obs['createOther'].get('thingGroupArn'))
obs['describeFloor'] = call(iot.describe_thing_group, thingGroupName='floor')
obs['groupsForThing'] = call(iot.list_thing_groups_for_thing, thingName='lamp-1')
obs['thingsInSite'] = call(iot.list_things_in_thing_group, thingGroupName='site', recursive=True)
obs['listGroups'] = call(iot.list_thing_groups, parentGroup='site')
obs['updateGroup'] = call(iot.update_thing_group, thingGroupName='floor', thingGroupProperties={'attributePayload': {'attributes': {'level': '3'}}}, expectedVersion=1)
obs['deleteParent'] = call(iot.delete_thing_group, thingGroupName='site')

# --- dynamic groups -------------------------------------------------------------------------
obs['createDynamic'] = call(iot.create_dynamic_thing_group, thingGroupName='reds', queryString='attributes.color:red')
obs['describeDynamic'] = call(iot.describe_thing_group, thingGroupName='reds')
obs['dynamicMembers'] = call(iot.list_things_in_thing_group, thingGroupName='reds')
obs['badQuery'] = call(iot.create_dynamic_thing_group, thingGroupName='bad', queryString='attributes.color:(red')
obs['updateDynamic'] = call(iot.update_dynamic_thing_group, thingGroupName='reds', queryString='attributes.color:blue', thingGroupProperties={})
obs['dynamicAfterUpdate'] = call(iot.list_things_in_thing_group, thingGroupName='reds')
obs['addToDynamic'] = call(iot.add_thing_to_thing_group, thingName='lamp-3', thingGroupName='reds')

# --- delete -------------------------------------------------------------------------------
obs['deleteStale'] = call(iot.delete_thing, thingName='lamp-2', expectedVersion=9)
obs['deleteThing'] = call(iot.delete_thing, thingName='lamp-2')
obs['dynamicAfterDelete'] = call(iot.list_things_in_thing_group, thingGroupName='reds')
obs['deleteMissing'] = call(iot.delete_thing, thingName='lamp-2')
obs['describeDeleted'] = call(iot.describe_thing, thingName='lamp-2')

print(json.dumps(obs, indent=1, sort_keys=True))
