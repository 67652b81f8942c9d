"""Policies, attachments, logging, role aliases and tags against a freshly reset Warden, through boto3.

Usage: python3 policies.py <endpoint-url>

Runs under both the pyenv boto3 (1.43) and Debian's boto3 (1.26). It asserts nothing itself: it
prints ONE JSON object of observations, and test/wire/policies.test.ts asserts on them. Every call
is recorded as {"ok": true, ...response} or {"ok": false, "code", "status", "message"}.
"""

import json
import sys

import boto3

from recorder import call, client

URL = sys.argv[1]
ROLE = 'arn:aws:iam::000000000000:role/warden-credentials'
LOG_ROLE = 'arn:aws:iam::000000000000:role/warden-logging'


def doc(action):
    return json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': action, 'Resource': '*'}]}, separators=(',', ':'))


iot = client(URL)


obs = {'client': {'boto3': boto3.__version__, 'signingName': iot.meta.service_model.signing_name}}

# --- policies and versions --------------------------------------------------------------
obs['create'] = call(iot.create_policy, policyName='wire-p', policyDocument=doc('iot:Connect'), tags=[{'Key': 'team', 'Value': 'sec'}])
obs['malformed'] = call(iot.create_policy, policyName='wire-bad', policyDocument='{"Statement": []}')
for i in range(2, 6):
    obs[f'version{i}'] = call(iot.create_policy_version, policyName='wire-p', policyDocument=doc(f'iot:V{i}'), setAsDefault=(i == 3))
obs['version6'] = call(iot.create_policy_version, policyName='wire-p', policyDocument=doc('iot:V6'))
obs['get'] = call(iot.get_policy, policyName='wire-p')
obs['versions'] = call(iot.list_policy_versions, policyName='wire-p')
obs['deleteDefaultVersion'] = call(iot.delete_policy_version, policyName='wire-p', policyVersionId='3')
obs['setDefault'] = call(iot.set_default_policy_version, policyName='wire-p', policyVersionId='5')
obs['getVersion5'] = call(iot.get_policy_version, policyName='wire-p', policyVersionId='5')
obs['deletePolicyWithVersions'] = call(iot.delete_policy, policyName='wire-p')

# --- attachments over a thing group hierarchy --------------------------------------------
root = iot.create_thing_group(thingGroupName='wire-root')['thingGroupArn']
child = iot.create_thing_group(thingGroupName='wire-child', parentGroupName='wire-root')['thingGroupArn']
iot.create_thing(thingName='wire-thing')
iot.add_thing_to_thing_group(thingGroupName='wire-child', thingName='wire-thing')
iot.create_policy(policyName='wire-root-p', policyDocument=doc('iot:Publish'))
obs['attachRoot'] = call(iot.attach_policy, policyName='wire-root-p', target=root)
obs['attachChild'] = call(iot.attach_policy, policyName='wire-p', target=child)
obs['attachMissing'] = call(iot.attach_policy, policyName='wire-p', target=root.replace('wire-root', 'wire-ghost'))
obs['attachedRecursive'] = call(iot.list_attached_policies, target=child, recursive=True)
obs['attachedDirect'] = call(iot.list_attached_policies, target=child)
obs['targets'] = call(iot.list_targets_for_policy, policyName='wire-p')
obs['effective'] = call(iot.get_effective_policies, thingName='wire-thing')
obs['deleteAttached'] = call(iot.delete_policy, policyName='wire-root-p')

# --- list_policies paginator over markers ------------------------------------------------
for n in ('wire-z3', 'wire-z1', 'wire-z2'):
    iot.create_policy(policyName=n, policyDocument=doc('iot:Connect'))
pages = list(iot.get_paginator('list_policies').paginate(PaginationConfig={'PageSize': 2}))
obs['policyPages'] = {
    'sizes': [len(p['policies']) for p in pages],
    'names': [x['policyName'] for p in pages for x in p['policies']],
    'markers': [p.get('nextMarker') for p in pages],
}

# --- logging -----------------------------------------------------------------------------
obs['v2Before'] = call(iot.get_v2_logging_options)
obs['v2Set'] = call(iot.set_v2_logging_options, roleArn=LOG_ROLE, defaultLogLevel='INFO', disableAllLogs=False)
obs['v2After'] = call(iot.get_v2_logging_options)
obs['v1Before'] = call(iot.get_logging_options)
obs['v1Set'] = call(iot.set_logging_options, loggingOptionsPayload={'roleArn': LOG_ROLE, 'logLevel': 'WARN'})
obs['v1After'] = call(iot.get_logging_options)

# --- role aliases ------------------------------------------------------------------------
obs['aliasCreate'] = call(iot.create_role_alias, roleAlias='wire-alias', roleArn=ROLE, credentialDurationSeconds=1800)
obs['aliasDuplicate'] = call(iot.create_role_alias, roleAlias='wire-alias', roleArn=ROLE)
obs['aliasUpdate'] = call(iot.update_role_alias, roleAlias='wire-alias', credentialDurationSeconds=7200)
obs['aliasDescribe'] = call(iot.describe_role_alias, roleAlias='wire-alias')
obs['aliasList'] = call(iot.list_role_aliases)
obs['aliasDelete'] = call(iot.delete_role_alias, roleAlias='wire-alias')
obs['aliasDescribeDeleted'] = call(iot.describe_role_alias, roleAlias='wire-alias')

# --- tags --------------------------------------------------------------------------------
policy_arn = obs['create'].get('policyArn', '')
obs['tag'] = call(iot.tag_resource, resourceArn=policy_arn, tags=[{'Key': 'env', 'Value': 'test'}])
obs['untag'] = call(iot.untag_resource, resourceArn=policy_arn, tagKeys=['team'])
obs['tags'] = call(iot.list_tags_for_resource, resourceArn=policy_arn)
obs['tagsMissing'] = call(iot.list_tags_for_resource, resourceArn=policy_arn.replace('wire-p', 'wire-nothing'))
obs['tagGroup'] = call(iot.tag_resource, resourceArn=child, tags=[{'Key': 'tier', 'Value': 'edge'}])
obs['tagsGroup'] = call(iot.list_tags_for_resource, resourceArn=child)

print(json.dumps(obs, indent=1, sort_keys=True))
