"""Billing groups against a freshly reset Warden server, through boto3.

Usage: python3 billing_groups.py <endpoint-url>

Runs under both the pyenv boto3 (1.43) and Debian's boto3 (1.26). It asserts nothing itself:
it prints ONE JSON object of observations on stdout, and test/wire/billing-groups.test.ts asserts
on them. Every call is recorded as {"ok": true, ...response} or {"ok": false, "code", "status", ...}.
"""

import json
import sys

import boto3
import botocore

from recorder import call, client

URL = sys.argv[1]

iot = client(URL)

obs = {'client': {'boto3': boto3.__version__, 'botocore': botocore.__version__}}

# --- the groups ---------------------------------------------------------------------------
obs['create'] = call(iot.create_billing_group, billingGroupName='floor-7', billingGroupProperties={'billingGroupDescription': 'Lamps of floor 7'},
                     tags=[{'Key': 'cost-center', 'Value': '7'}])
obs['createAgain'] = call(iot.create_billing_group, billingGroupName='floor-7', billingGroupProperties={'billingGroupDescription': 'Lamps of floor 7'})
obs['createConflict'] = call(iot.create_billing_group, billingGroupName='floor-7', billingGroupProperties={'billingGroupDescription': 'other'})
obs['createBadName'] = call(iot.create_billing_group, billingGroupName='no spaces')
for name in ('floor-8', 'lobby'):
    iot.create_billing_group(billingGroupName=name)
obs['describe'] = call(iot.describe_billing_group, billingGroupName='floor-7')
obs['describeMissing'] = call(iot.describe_billing_group, billingGroupName='ghost')
obs['list'] = call(iot.list_billing_groups)
obs['listPrefix'] = call(iot.list_billing_groups, namePrefixFilter='floor')
obs['listPaged'] = [g['groupName'] for p in iot.get_paginator('list_billing_groups').paginate(PaginationConfig={'PageSize': 2}) for g in p['billingGroups']]
obs['tags'] = call(iot.list_tags_for_resource, resourceArn=obs['create'].get('billingGroupArn'))
obs['update'] = call(iot.update_billing_group, billingGroupName='floor-7', billingGroupProperties={'billingGroupDescription': 'Floor 7'}, expectedVersion=1)
obs['updateStale'] = call(iot.update_billing_group, billingGroupName='floor-7', billingGroupProperties={}, expectedVersion=1)
obs['afterUpdate'] = call(iot.describe_billing_group, billingGroupName='floor-7')

# --- their things ---------------------------------------------------------------------------
obs['createThingIn'] = call(iot.create_thing, thingName='lamp-1', billingGroupName='floor-7')
obs['createThingUnknownGroup'] = call(iot.create_thing, thingName='lamp-x', billingGroupName='ghost')
iot.create_thing(thingName='lamp-2')
obs['addByName'] = call(iot.add_thing_to_billing_group, thingName='lamp-2', billingGroupName='floor-7')
obs['describeThing'] = call(iot.describe_thing, thingName='lamp-1')
obs['thingsIn'] = call(iot.list_things_in_billing_group, billingGroupName='floor-7')
obs['thingsInPaged'] = [t for p in iot.get_paginator('list_things_in_billing_group').paginate(billingGroupName='floor-7', PaginationConfig={'PageSize': 1}) for t in p['things']]
obs['move'] = call(iot.add_thing_to_billing_group, thingArn=obs['createThingIn'].get('thingArn'), billingGroupName='floor-8')
obs['afterMove'] = call(iot.describe_thing, thingName='lamp-1')
obs['thingsInAfterMove'] = call(iot.list_things_in_billing_group, billingGroupName='floor-7')
obs['addMissingThing'] = call(iot.add_thing_to_billing_group, thingName='ghost', billingGroupName='floor-7')
obs['addNoGroup'] = call(iot.add_thing_to_billing_group, thingName='lamp-2')
obs['remove'] = call(iot.remove_thing_from_billing_group, thingName='lamp-2', billingGroupArn=obs['create'].get('billingGroupArn'))
obs['afterRemove'] = call(iot.describe_thing, thingName='lamp-2')

# --- deletes --------------------------------------------------------------------------------
obs['deleteStale'] = call(iot.delete_billing_group, billingGroupName='floor-8', expectedVersion=7)
obs['deleteWithThing'] = call(iot.delete_billing_group, billingGroupName='floor-8')
obs['afterGroupDelete'] = call(iot.describe_thing, thingName='lamp-1')
obs['deleteMissing'] = call(iot.delete_billing_group, billingGroupName='floor-8')
obs['thingsInDeleted'] = call(iot.list_things_in_billing_group, billingGroupName='floor-8')

print(json.dumps(obs, indent=1, sort_keys=True))
