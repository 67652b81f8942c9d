"""Mitigation-action scenario against a freshly reset Warden server, driven through boto3.

Usage: python3 mitigation_actions.py <endpoint-url>

Runs under both the pyenv boto3 (1.43, signs with `iot`) and Debian's boto3 (1.26, signs
with `execute-api`). It asserts nothing itself: it prints ONE JSON object of observations on
stdout, and test/wire/boto3.test.ts asserts on them. Every call is recorded as either
{"ok": true, ...response} or {"ok": false, "code", "status", "message", ...}, so an
unexpected success or failure shows up as a readable assertion diff instead of a traceback.
"""

import json
import sys

import boto3
import botocore

from recorder import call, client, plain

URL = sys.argv[1]
ROLE = 'arn:aws:iam::000000000000:role/warden-mitigation'
ROLE2 = 'arn:aws:iam::000000000000:role/warden-mitigation-2'
LOG_ROLE = 'arn:aws:iam::000000000000:role/warden-logging'
TOPIC = 'arn:aws:sns:us-east-1:000000000000:warden-findings'


iot = client(URL)


SIX = {
    'wire-cert': {'updateDeviceCertificateParams': {'action': 'DEACTIVATE'}},
    'wire-ca': {'updateCACertificateParams': {'action': 'DEACTIVATE'}},
    'wire-group': {'addThingsToThingGroupParams': {'thingGroupNames': ['quarantine'], 'overrideDynamicGroups': True}},
    'wire-policy': {'replaceDefaultPolicyVersionParams': {'templateName': 'BLANK_POLICY'}},
    'wire-logging': {'enableIoTLoggingParams': {'roleArnForLogging': LOG_ROLE, 'logLevel': 'ERROR'}},
    'wire-sns': {'publishFindingToSnsParams': {'topicArn': TOPIC}},
}

obs = {
    'client': {
        'boto3': boto3.__version__,
        'botocore': botocore.__version__,
        'python': sys.version.split()[0],
        'signingName': iot.meta.service_model.signing_name,
    },
}

# --- create and describe all six types -------------------------------------------------
obs['create'] = {n: call(iot.create_mitigation_action, actionName=n, roleArn=ROLE, actionParams=p) for n, p in SIX.items()}
obs['describe'] = {n: call(iot.describe_mitigation_action, actionName=n) for n in SIX}
obs['list'] = call(iot.list_mitigation_actions)
obs['listByType'] = {
    t: call(iot.list_mitigation_actions, actionType=t)
    for t in ('ENABLE_IOT_LOGGING', 'ADD_THINGS_TO_THING_GROUP', 'UPDATE_CA_CERTIFICATE')
}

# --- update ----------------------------------------------------------------------------
obs['updateRole'] = call(iot.update_mitigation_action, actionName='wire-cert', roleArn=ROLE2)
obs['afterUpdateRole'] = call(iot.describe_mitigation_action, actionName='wire-cert')
obs['updateType'] = call(iot.update_mitigation_action, actionName='wire-ca', actionParams={'publishFindingToSnsParams': {'topicArn': TOPIC}})
obs['afterUpdateType'] = call(iot.describe_mitigation_action, actionName='wire-ca')
obs['listByTypeAfterUpdate'] = {
    t: call(iot.list_mitigation_actions, actionType=t) for t in ('UPDATE_CA_CERTIFICATE', 'PUBLISH_FINDING_TO_SNS')
}
obs['updateMissing'] = call(iot.update_mitigation_action, actionName='wire-missing', roleArn=ROLE2)
obs['updateDisabled'] = call(
    iot.update_mitigation_action, actionName='wire-logging',
    actionParams={'enableIoTLoggingParams': {'roleArnForLogging': LOG_ROLE, 'logLevel': 'DISABLED'}},
)
obs['updateTwoParams'] = call(
    iot.update_mitigation_action, actionName='wire-logging',
    actionParams={'updateDeviceCertificateParams': {'action': 'DEACTIVATE'}, 'publishFindingToSnsParams': {'topicArn': TOPIC}},
)
obs['afterBadUpdates'] = call(iot.describe_mitigation_action, actionName='wire-logging')

# --- re-create: idempotent and conflicting ---------------------------------------------
obs['recreateSame'] = call(iot.create_mitigation_action, actionName='wire-group', roleArn=ROLE, actionParams=SIX['wire-group'])
# The same parameters with the members in another order are still "identical".
obs['recreateSameReordered'] = call(
    iot.create_mitigation_action, actionName='wire-group', roleArn=ROLE,
    actionParams={'addThingsToThingGroupParams': {'overrideDynamicGroups': True, 'thingGroupNames': ['quarantine']}},
)
obs['recreateOtherParams'] = call(
    iot.create_mitigation_action, actionName='wire-group', roleArn=ROLE,
    actionParams={'addThingsToThingGroupParams': {'thingGroupNames': ['quarantine', 'isolated']}},
)
obs['recreateOtherRole'] = call(iot.create_mitigation_action, actionName='wire-group', roleArn=ROLE2, actionParams=SIX['wire-group'])
# wire-cert now has ROLE2 (updated above): re-creating with ROLE2 is identical, with ROLE is not.
obs['recreateUpdatedSame'] = call(iot.create_mitigation_action, actionName='wire-cert', roleArn=ROLE2, actionParams=SIX['wire-cert'])
obs['recreateUpdatedOld'] = call(iot.create_mitigation_action, actionName='wire-cert', roleArn=ROLE, actionParams=SIX['wire-cert'])

# --- validation failures that reach the server -----------------------------------------
obs['createDisabled'] = call(
    iot.create_mitigation_action, actionName='wire-disabled', roleArn=ROLE,
    actionParams={'enableIoTLoggingParams': {'roleArnForLogging': LOG_ROLE, 'logLevel': 'DISABLED'}},
)
obs['describeDisabled'] = call(iot.describe_mitigation_action, actionName='wire-disabled')
obs['createTwoParams'] = call(
    iot.create_mitigation_action, actionName='wire-two', roleArn=ROLE,
    actionParams={'updateDeviceCertificateParams': {'action': 'DEACTIVATE'}, 'updateCACertificateParams': {'action': 'DEACTIVATE'}},
)
obs['createNoParams'] = call(iot.create_mitigation_action, actionName='wire-none', roleArn=ROLE, actionParams={})
obs['createBadName'] = call(iot.create_mitigation_action, actionName='bad name!', roleArn=ROLE, actionParams=SIX['wire-cert'])
obs['createLongName'] = call(iot.create_mitigation_action, actionName='n' * 129, roleArn=ROLE, actionParams=SIX['wire-cert'])
obs['listMaxResults300'] = call(iot.list_mitigation_actions, maxResults=300)
obs['listBadType'] = call(iot.list_mitigation_actions, actionType='NOT_A_TYPE')
obs['listBadToken'] = call(iot.list_mitigation_actions, nextToken='not-a-token')
obs['afterValidation'] = call(iot.list_mitigation_actions)

# --- delete ----------------------------------------------------------------------------
obs['deleteExisting'] = call(iot.delete_mitigation_action, actionName='wire-sns')
obs['describeDeleted'] = call(iot.describe_mitigation_action, actionName='wire-sns')
obs['deleteAgain'] = call(iot.delete_mitigation_action, actionName='wire-sns')
obs['deleteMissing'] = call(iot.delete_mitigation_action, actionName='never-existed')
obs['describeMissing'] = call(iot.describe_mitigation_action, actionName='never-existed')
obs['afterDelete'] = call(iot.list_mitigation_actions)

# --- regions are separate --------------------------------------------------------------
eu = client(URL, 'eu-west-1')
obs['euDescribe'] = call(eu.describe_mitigation_action, actionName='wire-cert')
obs['euCreate'] = call(eu.create_mitigation_action, actionName='wire-cert', roleArn=ROLE, actionParams=SIX['wire-cert'])
obs['euList'] = call(eu.list_mitigation_actions)
obs['usAfterEu'] = call(iot.describe_mitigation_action, actionName='wire-cert')

# --- not implemented -------------------------------------------------------------------
obs['listJobs'] = call(iot.list_jobs)

# --- pagination: 5 actions created out of order, pages of 2 ----------------------------
for n in list(SIX):
    iot.delete_mitigation_action(actionName=n)
obs['emptied'] = call(iot.list_mitigation_actions)
for n in ('page-3', 'page-1', 'page-4', 'page-0', 'page-2'):
    iot.create_mitigation_action(actionName=n, roleArn=ROLE, actionParams=SIX['wire-cert'])
pages = list(iot.get_paginator('list_mitigation_actions').paginate(PaginationConfig={'PageSize': 2}))
obs['paginator'] = {
    'pageSizes': [len(p['actionIdentifiers']) for p in pages],
    'names': [a['actionName'] for p in pages for a in p['actionIdentifiers']],
    'tokens': [p.get('nextToken') for p in pages],
}
first = call(iot.list_mitigation_actions, maxResults=2)
obs['page1'] = first
obs['page2'] = call(iot.list_mitigation_actions, maxResults=2, nextToken=first.get('nextToken', ''))
obs['paginatorMaxItems'] = plain(
    iot.get_paginator('list_mitigation_actions').paginate(PaginationConfig={'PageSize': 2, 'MaxItems': 3}).build_full_result()
)

# --- the 100-action quota --------------------------------------------------------------
for i in range(5, 100):
    iot.create_mitigation_action(actionName=f'page-{i}', roleArn=ROLE, actionParams=SIX['wire-cert'])
obs['count100'] = len([a for p in iot.get_paginator('list_mitigation_actions').paginate() for a in p['actionIdentifiers']])
obs['create101'] = call(iot.create_mitigation_action, actionName='one-too-many', roleArn=ROLE, actionParams=SIX['wire-cert'])
obs['recreateAtLimit'] = call(iot.create_mitigation_action, actionName='page-0', roleArn=ROLE, actionParams=SIX['wire-cert'])
obs['euAtUsLimit'] = call(eu.create_mitigation_action, actionName='eu-second', roleArn=ROLE, actionParams=SIX['wire-cert'])

print(json.dumps(obs, indent=1, sort_keys=True))
