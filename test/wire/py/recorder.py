"""What the boto3 wire scripts share: a client for Warden, and a recorder that turns every call into
JSON-printable observations ({"ok": true, ...response} or {"ok": false, "code", "status", "message",
...}), so an unexpected success or failure shows up as a readable assertion diff in the TS test
instead of a traceback. Works under boto3 1.43 and Debian's 1.26."""
import datetime

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client(url, region='us-east-1'):
    return boto3.client('iot', endpoint_url=url, region_name=region, aws_access_key_id='test',
                        aws_secret_access_key='test', config=Config(retries={'max_attempts': 0}))


def plain(v):
    """Make a boto3 response JSON-printable; datetimes become {"datetime", "tzaware", "epoch"}."""
    if isinstance(v, datetime.datetime):
        return {'datetime': True, 'tzaware': v.tzinfo is not None and v.utcoffset() is not None, 'epoch': v.timestamp()}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def call(fn, **kwargs):
    try:
        r = fn(**kwargs)
        out = {'ok': True, 'status': r['ResponseMetadata']['HTTPStatusCode']}
        out.update(plain(r))
        return out
    except ClientError as e:
        r = e.response
        return {
            'ok': False,
            'code': r['Error']['Code'],
            'message': r['Error'].get('Message'),
            'status': r['ResponseMetadata']['HTTPStatusCode'],
            'requestId': r['ResponseMetadata'].get('RequestId'),
            # Modeled members beyond message (ResourceAlreadyExistsException: resourceId, resourceArn).
            'extra': {k: v for k, v in r.items() if k not in ('Error', 'ResponseMetadata')},
            'errorKeys': sorted(r['Error'].keys()),
            'exceptionClass': type(e).__name__,
        }
