"""Certificate scenario against a freshly reset Warden server, driven through boto3.

Usage: python3 certificates.py <endpoint-url> <materials-dir>

The materials folder holds PEM files made by test/wire/certificates.test.ts with real keys:
ca.pem, verification.pem (CN = the registration code), wrong-cn.pem, device.pem (signed by the
CA), forged.pem (same issuer name, another key) and self-signed.pem. Like mitigation_actions.py it
asserts nothing: it prints ONE JSON object of observations, each call {"ok": true, ...} or
{"ok": false, "code", "status", "message"}.
"""

import json
import os
import sys

import boto3

from recorder import call, client, plain

URL, MATERIALS = sys.argv[1], sys.argv[2]
iot = client(URL)


def pem(name):
    with open(os.path.join(MATERIALS, name)) as f:
        return f.read()


def paginate(op, **kwargs):
    items, pages = [], 0
    for page in iot.get_paginator(op).paginate(**kwargs):
        pages += 1
        items.extend(plain(page['certificates'] if 'certificates' in page else page['principals']))
    return {'items': items, 'pages': pages}


o = {'client': {'boto3': boto3.__version__, 'signingName': iot.meta.service_model.signing_name}}
o['code'] = call(iot.get_registration_code)
o['caWrongCn'] = call(iot.register_ca_certificate, caCertificate=pem('ca.pem'), verificationCertificate=pem('wrong-cn.pem'))
o['ca'] = call(iot.register_ca_certificate, caCertificate=pem('ca.pem'), verificationCertificate=pem('verification.pem'),
               setAsActive=True, allowAutoRegistration=True, registrationConfig={'templateName': 'jitp'})
ca_id = o['ca'].get('certificateId')
o['describeCa'] = call(iot.describe_ca_certificate, certificateId=ca_id)
o['listCa'] = call(iot.list_ca_certificates)
o['device'] = call(iot.register_certificate, certificatePem=pem('device.pem'), caCertificatePem=pem('ca.pem'), status='ACTIVE')
o['forged'] = call(iot.register_certificate, certificatePem=pem('forged.pem'))
o['deviceAgain'] = call(iot.register_certificate, certificatePem=pem('device.pem'))
o['noCa'] = call(iot.register_certificate_without_ca, certificatePem=pem('self-signed.pem'))
o['keys'] = call(iot.create_keys_and_certificate, setAsActive=True)
device_id, keys_id = o['device'].get('certificateId'), o['keys'].get('certificateId')
o['describe'] = call(iot.describe_certificate, certificateId=device_id)
o['list'] = paginate('list_certificates', PaginationConfig={'PageSize': 2}, ascendingOrder=True)
o['listByCa'] = call(iot.list_certificates_by_ca, caCertificateId=ca_id)
o['revoke'] = call(iot.update_certificate, certificateId=device_id, newStatus='REVOKED')
o['unrevoke'] = call(iot.update_certificate, certificateId=device_id, newStatus='ACTIVE')
o['deleteActive'] = call(iot.delete_certificate, certificateId=keys_id)
o['thing'] = call(iot.create_thing, thingName='wire-thing')
keys_arn = o['keys'].get('certificateArn')
# thingPrincipalType and the V2 lists came with botocore 1.35; boto3 1.26 does not know them.
has_types = 'thingPrincipalType' in iot.meta.service_model.operation_model('AttachThingPrincipal').input_shape.members
o['client']['thingPrincipalTypes'] = has_types
extra = {'thingPrincipalType': 'EXCLUSIVE_THING'} if has_types else {}
o['attach'] = call(iot.attach_thing_principal, thingName='wire-thing', principal=keys_arn, **extra)
o['thingPrincipals'] = paginate('list_thing_principals', thingName='wire-thing')
o['principalThings'] = call(iot.list_principal_things, principal=keys_arn)
if has_types:
    o['principalThingsV2'] = call(iot.list_principal_things_v2, principal=keys_arn)
o['inactive'] = call(iot.update_certificate, certificateId=keys_id, newStatus='INACTIVE')
o['deleteAttached'] = call(iot.delete_certificate, certificateId=keys_id)
o['detach'] = call(iot.detach_thing_principal, thingName='wire-thing', principal=keys_arn)
o['delete'] = call(iot.delete_certificate, certificateId=keys_id, forceDelete=True)
o['describeDeleted'] = call(iot.describe_certificate, certificateId=keys_id)
o['caInactive'] = call(iot.update_ca_certificate, certificateId=ca_id, newStatus='INACTIVE')
o['deleteCa'] = call(iot.delete_ca_certificate, certificateId=ca_id)
print(json.dumps(o))
