"""The full audit mitigation scenario through boto3: create actions, start a task over injected
findings, poll Describe until it ends, read the executions and the effects. argv: endpoint, audit task id,
certificate id, policy name. Prints one JSON object of observations."""
import json
import sys
import time

import boto3
from botocore.config import Config

endpoint, audit_task_id, certificate_id, policy_name = sys.argv[1:5]
iot = boto3.client('iot', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='test',
                   aws_secret_access_key='test', config=Config(retries={'max_attempts': 0}))
role = 'arn:aws:iam::000000000000:role/warden-mitigation'
iot.create_mitigation_action(actionName='py-cert-off', roleArn=role,
                             actionParams={'updateDeviceCertificateParams': {'action': 'DEACTIVATE'}})
iot.create_mitigation_action(actionName='py-blank', roleArn=role,
                             actionParams={'replaceDefaultPolicyVersionParams': {'templateName': 'BLANK_POLICY'}})
started = iot.start_audit_mitigation_actions_task(
    taskId='py-task', target={'auditTaskId': audit_task_id},
    auditCheckToActionsMapping={'DEVICE_CERTIFICATE_EXPIRING_CHECK': ['py-cert-off'],
                                'IOT_POLICY_OVERLY_PERMISSIVE_CHECK': ['py-blank']})
polls = 0
while True:
    d = iot.describe_audit_mitigation_actions_task(taskId='py-task')
    polls += 1
    if d['taskStatus'] != 'IN_PROGRESS' or polls > 400:
        break
    time.sleep(0.05)
findings = iot.list_audit_findings(taskId=audit_task_id)['findings']
executions = {}
for f in findings:
    out = iot.list_audit_mitigation_actions_executions(taskId='py-task', findingId=f['findingId'])
    executions[f['checkName']] = [[e['actionName'], e['status'], type(e['startTime']).__name__] for e in out['actionsExecutions']]
cert = iot.describe_certificate(certificateId=certificate_id)['certificateDescription']
policy = iot.get_policy(policyName=policy_name)
try:
    iot.cancel_audit_mitigation_actions_task(taskId='py-task')
    cancel = 'ok'
except iot.exceptions.InvalidRequestException as e:
    cancel = e.response['Error']['Code']
print(json.dumps({
    'started': started['taskId'],
    'status': d['taskStatus'],
    'endTimeType': type(d.get('endTime')).__name__,
    'stats': d['taskStatistics'],
    'target': d['target'],
    'actions': sorted(a['name'] for a in d['actionsDefinition']),
    'executions': executions,
    'certStatus': cert['status'],
    'policyDefault': policy['defaultVersionId'],
    'policyDocument': json.loads(policy['policyDocument']),
    'cancelAfter': cancel,
}))
