"""Detect's loop against a freshly reset Warden server, through boto3.

Usage: python3 detect.py <endpoint-url> <alert-topic-arn>

A profile with a static, a statistical and an ML behavior attached to a thing group; a fleet's
device reports (signed by botocore's own SigV4 signer, as a device-side agent would publish them);
the outlier's violation; a detect mitigation task that quarantines it; normal reports that clear
it. Runs under the pyenv boto3 (1.43) and Debian's (1.26). It asserts nothing: it prints ONE JSON
object of observations for test/wire/detect.test.ts.
"""

import json
import sys
import time
import urllib.request

import boto3
import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from recorder import call, client

URL, TOPIC = sys.argv[1], sys.argv[2]
iot = client(URL)
obs = {'client': {'boto3': boto3.__version__, 'botocore': botocore.__version__}}
GROUP_ARN = 'arn:aws:iot:us-east-1:000000000000:thinggroup/fleet'


def report(thing, rid, bytes_out, ports=(443,)):
    body = json.dumps({'header': {'report_id': rid, 'version': '1.0'},
                       'metrics': {'network_stats': {'bytes_in': 1000, 'bytes_out': bytes_out, 'packets_in': 10, 'packets_out': 10},
                                   'listening_tcp_ports': {'ports': [{'port': p} for p in ports], 'total': len(ports)}}})
    url = f'{URL}/_warden/things/{thing}/defender/metrics/json'
    req = AWSRequest(method='POST', url=url, data=body, headers={'content-type': 'application/json'})
    SigV4Auth(Credentials('test', 'test'), 'iot', 'us-east-1').add_auth(req)
    r = urllib.request.Request(url, data=body.encode(), headers=dict(req.headers.items()), method='POST')
    try:
        with urllib.request.urlopen(r) as res:
            return {'status': res.status, 'body': json.loads(res.read())}
    except urllib.error.HTTPError as e:
        return {'status': e.code, 'body': json.loads(e.read())}


for t in ('d1', 'd2', 'd3'):
    iot.create_thing(thingName=t)
iot.create_thing_group(thingGroupName='fleet')
iot.create_thing_group(thingGroupName='quarantine')
for t in ('d1', 'd2', 'd3'):
    iot.add_thing_to_thing_group(thingGroupName='fleet', thingName=t)
iot.create_mitigation_action(actionName='isolate', roleArn='arn:aws:iam::000000000000:role/warden-mitigation',
                             actionParams={'addThingsToThingGroupParams': {'thingGroupNames': ['quarantine']}})

behaviors = [
    {'name': 'bytes-out', 'metric': 'aws:all-bytes-out', 'criteria': {'comparisonOperator': 'less-than-equals', 'value': {'count': 10000}, 'durationSeconds': 300}},
    {'name': 'ports', 'metric': 'aws:listening-tcp-ports', 'criteria': {'comparisonOperator': 'in-port-set', 'value': {'ports': [22, 443]}}},
    {'name': 'bytes-in-p90', 'metric': 'aws:all-bytes-in', 'criteria': {'comparisonOperator': 'less-than-equals', 'statisticalThreshold': {'statistic': 'p90'}, 'durationSeconds': 300}},
    {'name': 'packets-out-ml', 'metric': 'aws:all-packets-out', 'criteria': {'mlDetectionConfig': {'confidenceLevel': 'HIGH'}}},
]
obs['validateBad'] = call(iot.validate_security_profile_behaviors, behaviors=[{'name': 'bad', 'metric': 'aws:all-bytes-out', 'criteria': {'comparisonOperator': 'in-port-set', 'value': {'ports': [1]}}}])
obs['validate'] = call(iot.validate_security_profile_behaviors, behaviors=behaviors)
obs['create'] = call(iot.create_security_profile, securityProfileName='fleet-rules', behaviors=behaviors,
                     alertTargets={'SNS': {'alertTargetArn': TOPIC, 'roleArn': 'arn:aws:iam::000000000000:role/alerts'}})
obs['attach'] = call(iot.attach_security_profile, securityProfileName='fleet-rules', securityProfileTargetArn=GROUP_ARN)
obs['describe'] = call(iot.describe_security_profile, securityProfileName='fleet-rules')
obs['forTarget'] = call(iot.list_security_profiles_for_target, securityProfileTargetArn=GROUP_ARN)

obs['reports'] = [report('d1', 1, 900, (443, 31337)), report('d2', 1, 900), report('d3', 1, 1200)]
obs['active'] = call(iot.list_active_violations, securityProfileName='fleet-rules')
obs['start'] = call(iot.start_detect_mitigation_actions_task, taskId='isolate-outliers', target={'securityProfileName': 'fleet-rules'},
                    actions=['isolate'], clientRequestToken='isolate-outliers-1')
for _ in range(100):
    obs['task'] = call(iot.describe_detect_mitigation_actions_task, taskId='isolate-outliers')
    if obs['task'].get('taskSummary', {}).get('taskStatus') != 'IN_PROGRESS':
        break
    time.sleep(0.2)
obs['groupsOfD1'] = call(iot.list_thing_groups_for_thing, thingName='d1')
obs['groupsOfD2'] = call(iot.list_thing_groups_for_thing, thingName='d2')

obs['clearReport'] = report('d1', 2, 800, (443,))
obs['activeAfter'] = call(iot.list_active_violations, thingName='d1')
now = time.time()
obs['events'] = call(iot.list_violation_events, startTime=now - 3600, endTime=now + 3600, thingName='d1')
print(json.dumps(obs))
