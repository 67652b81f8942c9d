"""Certificates from CSRs and transfers between two accounts, driven through boto3.

Usage: python3 certificate_transfers.py <endpoint-url> <materials-dir> <target-account> <target-key-id> <target-secret>

The materials folder holds CSRs made by test/wire/certificate-transfers.test.ts with real keys:
rsa.csr (RSA 2048), p256.csr (EC P-256) and tampered.csr (signed, then altered). The source account is
the `test` credential's; the target's credential comes on the command line. Like certificates.py it
asserts nothing: it prints ONE JSON object of observations.
"""

import json
import os
import sys

import boto3
from botocore.config import Config

from recorder import call, client

URL, MATERIALS, TARGET, KEY_ID, SECRET = sys.argv[1:6]
src = client(URL)
dst = boto3.client('iot', endpoint_url=URL, region_name='us-east-1', aws_access_key_id=KEY_ID,
                   aws_secret_access_key=SECRET, config=Config(retries={'max_attempts': 0}))


def pem(name):
    with open(os.path.join(MATERIALS, name)) as f:
        return f.read()


def ids(c):
    return [x['certificateId'] for x in c.list_certificates(pageSize=250)['certificates']]


o = {'client': {'boto3': boto3.__version__}}
o['rsa'] = call(src.create_certificate_from_csr, certificateSigningRequest=pem('rsa.csr'), setAsActive=True)
o['p256'] = call(src.create_certificate_from_csr, certificateSigningRequest=pem('p256.csr'))
o['tampered'] = call(src.create_certificate_from_csr, certificateSigningRequest=pem('tampered.csr'))
rsa_id, p256_id = o['rsa'].get('certificateId'), o['p256'].get('certificateId')
o['describeRsa'] = call(src.describe_certificate, certificateId=rsa_id)

# Accepted: ACTIVE refused, then PENDING_TRANSFER on both sides, then the target's.
o['transferActive'] = call(src.transfer_certificate, certificateId=rsa_id, targetAwsAccount=TARGET)
o['deactivate'] = call(src.update_certificate, certificateId=rsa_id, newStatus='INACTIVE')
o['transfer'] = call(src.transfer_certificate, certificateId=rsa_id, targetAwsAccount=TARGET, transferMessage='to the lab')
o['pendingSource'] = call(src.describe_certificate, certificateId=rsa_id)
o['pendingTarget'] = call(dst.describe_certificate, certificateId=rsa_id)
o['targetListsPending'] = rsa_id in ids(dst)
o['acceptBySource'] = call(src.accept_certificate_transfer, certificateId=rsa_id)
o['cancelByTarget'] = call(dst.cancel_certificate_transfer, certificateId=rsa_id)
o['accept'] = call(dst.accept_certificate_transfer, certificateId=rsa_id, setAsActive=True)
o['accepted'] = call(dst.describe_certificate, certificateId=rsa_id)
o['sourceAfterAccept'] = call(src.describe_certificate, certificateId=rsa_id)
o['sourceListsAccepted'] = rsa_id in ids(src)
o['cancelAfterAccept'] = call(src.cancel_certificate_transfer, certificateId=rsa_id)

# Rejected, then cancelled.
o['transferP256'] = call(src.transfer_certificate, certificateId=p256_id, targetAwsAccount=TARGET)
o['reject'] = call(dst.reject_certificate_transfer, certificateId=p256_id, rejectReason='wrong fleet')
o['rejected'] = call(src.describe_certificate, certificateId=p256_id)
o['acceptAfterReject'] = call(dst.accept_certificate_transfer, certificateId=p256_id)
o['transferAgain'] = call(src.transfer_certificate, certificateId=p256_id, targetAwsAccount=TARGET)
o['cancel'] = call(src.cancel_certificate_transfer, certificateId=p256_id)
o['cancelled'] = call(src.describe_certificate, certificateId=p256_id)
o['targetAfterCancel'] = call(dst.describe_certificate, certificateId=p256_id)
o['acceptUnknown'] = call(dst.accept_certificate_transfer, certificateId='f' * 64)
print(json.dumps(o))
