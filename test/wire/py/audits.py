"""Real audits through boto3: configure, run an on-demand audit, read its task, findings and list,
suppress, schedule, and the error cases. argv: endpoint. Prints one JSON object of observations."""
import datetime
import json
import sys
import time

from recorder import call, client

iot = client(sys.argv[1])
role = 'arn:aws:iam::000000000000:role/warden-audit'
checks = ['IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'LOGGING_DISABLED_CHECK']
o = {}
iot.create_policy(policyName='py-open', policyDocument=json.dumps(
    {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'iot:*', 'Resource': '*'}]}))
o['update'] = call(iot.update_account_audit_configuration, roleArn=role,
                   auditCheckConfigurations={c: {'enabled': True} for c in checks})
config = call(iot.describe_account_audit_configuration)
o['enabled'] = sorted(k for k, v in config['auditCheckConfigurations'].items() if v['enabled'])
o['roleArn'] = config.get('roleArn')
started = call(iot.start_on_demand_audit_task, targetCheckNames=checks)
o['started'] = started
task_id = started['taskId']
for _ in range(400):
    d = call(iot.describe_audit_task, taskId=task_id)
    if d['taskStatus'] != 'IN_PROGRESS':
        break
    time.sleep(0.05)
o['describe'] = d
now = datetime.datetime.now(datetime.timezone.utc)
o['listed'] = call(iot.list_audit_tasks, startTime=now - datetime.timedelta(hours=1), endTime=now + datetime.timedelta(hours=1))
o['listedCompleted'] = call(iot.list_audit_tasks, startTime=now - datetime.timedelta(hours=1), endTime=now + datetime.timedelta(hours=1),
                            taskStatus='COMPLETED', taskType='ON_DEMAND_AUDIT_TASK')
findings = call(iot.list_audit_findings, taskId=task_id)
o['findings'] = findings
o['related'] = call(iot.list_related_resources_for_audit_finding, findingId=findings['findings'][0]['findingId'])
o['suppress'] = call(iot.create_audit_suppression, checkName='LOGGING_DISABLED_CHECK',
                     resourceIdentifier={'account': '000000000000'}, suppressIndefinitely=True, description='py')
o['suppressions'] = call(iot.list_audit_suppressions)
o['scheduled'] = call(iot.create_scheduled_audit, scheduledAuditName='py-weekly', frequency='WEEKLY', dayOfWeek='MON',
                      targetCheckNames=['LOGGING_DISABLED_CHECK'])
o['scheduledDescribe'] = call(iot.describe_scheduled_audit, scheduledAuditName='py-weekly')
o['unknownCheck'] = call(iot.start_on_demand_audit_task, targetCheckNames=['NO_SUCH_CHECK'])
o['missingTask'] = call(iot.describe_audit_task, taskId='f' * 32)
o['cancelDone'] = call(iot.cancel_audit_task, taskId=task_id)
o['badSchedule'] = call(iot.create_scheduled_audit, scheduledAuditName='py-bad', frequency='MONTHLY',
                        targetCheckNames=['LOGGING_DISABLED_CHECK'])
print(json.dumps(o))
